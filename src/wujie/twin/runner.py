"""Run the whole twin: scenario, pre-positioning, the sale through the engine, fulfilment, report.

Typical use (see docs/twin.md)::

    from wujie.twin.runner import run_twin
    from wujie.twin.scenario import TwinConfig

    report = run_twin(TwinConfig(orders=20_000, seed=7), sinks=[my_projection])
    report.data["gmv"]["minor"]  # == the ledger's captured total
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from wujie.shared.clock import ManualClock
from wujie.stream.fanout import EventSink, InProcessFanout
from wujie.twin.intake import Intake
from wujie.twin.logistics import Network
from wujie.twin.planning import plan_positioning
from wujie.twin.report import TwinReport, build_report
from wujie.twin.sale import COUNTDOWN_S, Sale
from wujie.twin.scenario import Scenario, TwinConfig, build_scenario

#: progress callback: (phase, done, total)
PhaseProgress = Callable[[str, int, int], None]


def run_twin(
    config: TwinConfig,
    *,
    sinks: Sequence[EventSink] = (),
    progress: PhaseProgress | None = None,
    workdir: Path | None = None,
    scenario: Scenario | None = None,
) -> TwinReport:
    """Run one Singles' Day and return its report.

    Parameters
    ----------
    config
        The run's settings (seeded: the same config gives the same report, wall-clock aside).
    sinks
        Event sinks (``publish(events)``) that receive every event of the day in simulated-time
        order: the engine's committed facts and the twin's searches, declines and parcels.
    progress
        Called as ``progress(phase, done, total)`` during the long phases.
    workdir
        Where the engine keeps its journal; a temporary directory when ``None``.
    scenario
        A scenario already built from ``config`` (e.g. to build the dashboard's lookups first).
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    scenario = scenario if scenario is not None else build_scenario(config)
    seconds["scenario"] = time.perf_counter() - started
    t = time.perf_counter()
    positioning = plan_positioning(scenario, progress, libraries=config.libraries)
    seconds["positioning"] = time.perf_counter() - t
    fanout = InProcessFanout()
    for sink in sinks:
        fanout.subscribe(sink)
    clock = ManualClock(scenario.sale_start - timedelta(seconds=COUNTDOWN_S))
    with ExitStack() as stack:
        directory = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wujie-twin-")))
        intake = Intake.for_scenario(
            scenario, positioning.supply, directory / "engine", clock, fanout if sinks else None
        )
        stack.callback(intake.close)
        network = Network(scenario, positioning.stock, allocator="fast" if config.allocator == "fast" else "library")
        sale = Sale(scenario, intake, network, clock, fanout.publish if sinks else None)
        t = time.perf_counter()
        tally = sale.run(None if progress is None else lambda done, total: progress("sale", done, total))
        seconds["sale"] = time.perf_counter() - t
        seconds["routing_in_sale"] = network.last_mile.seconds
        seconds["total"] = time.perf_counter() - started
        report = build_report(
            scenario, positioning=positioning, intake=intake, network=network, tally=tally, seconds=seconds
        )
    report.data["sink_failures"] = len(fanout.failures)
    return report
