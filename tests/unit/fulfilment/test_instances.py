"""VRPLIB instances: rounding conventions checked against the best-known .sol, malformed files refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import require_shared_data

from wujie.fulfilment.errors import InvalidInstance
from wujie.fulfilment.routing.instances import best_known, read_instance, solve_instance


def _cost_of_best_known(path: Path) -> float:
    import pyvrp

    instance = read_instance(path)
    solution = pyvrp.read_solution(path.with_suffix(".sol"), instance.data)
    assert solution.is_feasible()
    return solution.distance() / instance.scale


@pytest.mark.parametrize(
    ("relative", "rounding", "expected"),
    [
        ("routing/cvrplib-x/X-n101-k25.vrp", "round", 27591.0),
        ("routing/solomon/R101.vrp", "dimacs", 1637.7),
        ("routing/solomon/C201.vrp", "dimacs", 589.1),
    ],
)
def test_auto_rounding_reproduces_the_best_known_cost(relative: str, rounding: str, expected: float) -> None:
    path = require_shared_data(relative)
    assert read_instance(path).rounding == rounding
    assert best_known(path) == expected
    assert _cost_of_best_known(path) == pytest.approx(expected, abs=1e-9)


def test_a_real_x_instance_solves_close_to_best_known() -> None:
    path = require_shared_data("routing/cvrplib-x/X-n101-k25.vrp")
    solution = solve_instance(read_instance(path), seconds=1.5, seed=1)
    assert solution.feasible
    assert sorted(n for route in solution.routes for n in route) == list(range(2, 102))  # every customer once
    gap = solution.cost / 27591 - 1
    assert 0 <= gap < 0.04


def test_solomon_solution_respects_time_windows() -> None:
    path = require_shared_data("routing/solomon/C101.vrp")
    solution = solve_instance(read_instance(path), seconds=1.0)
    assert solution.feasible
    assert 827.3 <= solution.cost <= 827.3 * 1.02


def test_malformed_and_missing_files_raise_invalid_instance(tmp_path: Path) -> None:
    with pytest.raises(InvalidInstance):
        read_instance(tmp_path / "nope.vrp")
    garbage = tmp_path / "garbage.vrp"
    garbage.write_text("this is not\na VRPLIB file\n")
    with pytest.raises(InvalidInstance):
        read_instance(garbage)
    truncated = tmp_path / "truncated.vrp"
    truncated.write_text(
        "NAME : t\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 1 1\nDEMAND_SECTION\n1 0\n2 5\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    with pytest.raises(InvalidInstance):
        read_instance(truncated)
    binary = tmp_path / "binary.vrp"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(InvalidInstance):
        read_instance(binary)
    assert best_known(garbage) is None


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_an_instance_whose_window_cannot_be_met_is_reported_infeasible(tmp_path: Path) -> None:
    path = tmp_path / "late.vrp"
    path.write_text(
        "NAME : late\nTYPE : CVRPTW\nDIMENSION : 3\nVEHICLES : 2\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 50 0\n3 0 5\nDEMAND_SECTION\n1 0\n2 1\n3 1\n"
        "TIME_WINDOW_SECTION\n1 0 1000\n2 0 10\n3 0 1000\nSERVICE_TIME_SECTION\n1 0\n2 0\n3 0\n"
        "DEPOT_SECTION\n1\n-1\nEOF\n"
    )
    instance = read_instance(path)
    assert instance.rounding == "dimacs" and instance.num_clients == 2
    solution = solve_instance(instance, seconds=0.2)
    assert not solution.feasible  # client 2 is 50 away but must be served by time 10
    assert sorted(n for r in solution.routes for n in r) == [2, 3]  # reported, not dropped
