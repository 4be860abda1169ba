"""Errors raised by the event stream."""

from __future__ import annotations

from enum import StrEnum

from wujie.shared.errors import RetryableError, WujieError


class StreamErrorCode(StrEnum):
    """Stable codes of the stream area."""

    UNKNOWN_EVENT = "stream_unknown_event"
    MALFORMED_PAYLOAD = "stream_malformed_payload"
    NAIVE_DATETIME = "stream_naive_datetime"
    SINK_CLOSED = "stream_sink_closed"


class StreamError(WujieError):
    """An event that cannot be encoded, a payload that cannot be decoded, or a closed sink."""


class BrokerUnavailable(RetryableError):
    """The broker did not answer (connection lost, publish not acknowledged in time)."""
