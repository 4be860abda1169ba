"""The event stream: committed events out of the engine to the dashboard and other consumers.

The in-process :class:`~wujie.stream.fanout.InProcessFanout` is the embedded default; the
broker adapter :mod:`wujie.stream.nats` carries the same batches over NATS JetStream, encoded by
:class:`~wujie.stream.codec.EventCodec`.
"""
