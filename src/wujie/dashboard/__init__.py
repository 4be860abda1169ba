"""The live command center: projections over the event stream, their snapshot, and its live push.

:class:`~wujie.dashboard.board.SaleDashboard` folds core events into GMV, rates, rankings,
regions, SLA and stock-out figures; :class:`~wujie.dashboard.live.LiveDashboard` makes it an
``EventSink`` shared safely between the engine's writer and the web page's push.
"""
