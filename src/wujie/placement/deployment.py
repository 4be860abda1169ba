"""Forward deployment before a sale: how much of each SKU to pre-position in which warehouse.

A linear program (HiGHS through ``highspy``; a MIP when whole units are required) that maximises
the expected value of sales served within the delivery promise, net of transport and holding cost,
for a fixed total stock per SKU. Expected sales ``E[min(stock, D)]`` are concave and piecewise
linear in the stock when demand ``D`` is given by quantiles, so no binary variable is needed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.placement.errors import InvalidPlacementInput, PlacementError, PlacementErrorCode, PlacementInfeasible
from wujie.placement.network import Network
from wujie.placement.segments import DemandSegments, demand_segments, total_stock_at


@dataclass(frozen=True)
class PlacementParams:
    """Economics and options of :func:`plan_placement`.

    Parameters
    ----------
    unit_margin
        Value of a unit sold within the promise (served by a local warehouse).
    late_penalty
        Value lost when a unit is shipped from a non-local warehouse (late, split, costlier).
    cost_per_unit_km
        Transport cost of a unit per road km, charged on the stock earmarked for a region.
    stock_quantile
        When no total stock is given, each SKU's total is the sum over regions of this quantile.
    integer_stock
        Whole units per warehouse (a MIP) instead of a continuous LP.
    time_limit
        Solver time limit in seconds.
    """

    unit_margin: float = 1.0
    late_penalty: float = 0.5
    cost_per_unit_km: float = 1e-5
    stock_quantile: float = 0.9
    integer_stock: bool = False
    time_limit: float = 60.0

    def __post_init__(self) -> None:
        if self.unit_margin <= 0 or not 0 <= self.late_penalty <= self.unit_margin:
            raise InvalidPlacementInput("need unit_margin > 0 and 0 <= late_penalty <= unit_margin")
        if self.cost_per_unit_km < 0 or self.time_limit <= 0:
            raise InvalidPlacementInput("cost_per_unit_km must be >= 0 and time_limit > 0")
        if not 0 < self.stock_quantile < 1:
            raise InvalidPlacementInput("stock_quantile must be in (0, 1)", stock_quantile=self.stock_quantile)


@dataclass(frozen=True)
class PlacementPlan:
    """Stock per warehouse x SKU, and what the planner expected of it.

    Attributes
    ----------
    stock
        ``warehouse, sku, units``.
    method
        ``"lp"``, ``"mip"``, ``"population_split"`` or ``"history_split"``.
    expected
        For optimised plans: ``region, sku, expected_local, expected_sales`` (units).
    objective
        Optimal objective value (None for baselines).
    seconds
        Time to build and solve.
    """

    stock: pd.DataFrame
    method: str
    expected: pd.DataFrame | None = None
    objective: float | None = None
    seconds: float = 0.0

    def by_warehouse(self) -> pd.Series:
        """Total units per warehouse."""
        return self.stock.groupby("warehouse")["units"].sum()


def plan_placement(
    quantiles: pd.DataFrame,
    network: Network,
    params: PlacementParams | None = None,
    total_stock: pd.Series | None = None,
) -> PlacementPlan:
    """Solve the forward-deployment program.

    Parameters
    ----------
    quantiles
        Demand of the sale period as ``region, sku, quantile, demand`` (quantile in (0, 1)).
    network
        Warehouses, regions, distances and the local-delivery mask (:func:`build_network`).
    params
        Economics and options.
    total_stock
        Units to deploy per SKU (index ``sku``); default: the sum of regional ``stock_quantile``.

    Raises
    ------
    InvalidPlacementInput
        Unknown regions, negative demand, missing quantile level.
    PlacementInfeasible
        The total stock exceeds the total warehouse capacity.
    """
    p = params or PlacementParams()
    started = time.perf_counter()
    seg = demand_segments(quantiles, [r.name for r in network.regions])
    totals = total_stock if total_stock is not None else total_stock_at(quantiles, p.stock_quantile)
    totals = totals.reindex(seg.skus).fillna(0.0)
    if p.integer_stock:
        totals = np.ceil(totals - 1e-9)
    _check_capacity(network, totals)
    model = _ProgramBuilder(network, seg, totals.to_numpy(dtype=float), p)
    values, objective = model.solve()
    plan = model.read(values)
    return PlacementPlan(
        plan[0], "mip" if p.integer_stock else "lp", plan[1], objective, round(time.perf_counter() - started, 3)
    )


def _check_capacity(network: Network, totals: pd.Series) -> None:
    need, capacity = float(totals.sum()), sum(w.capacity for w in network.warehouses)
    if need > capacity + 1e-9:
        raise PlacementInfeasible(
            f"stock to deploy ({need:,.0f} units) exceeds total warehouse capacity ({capacity:,.0f})",
            need=need,
            capacity=capacity,
        )


class _ProgramBuilder:
    """Columns: x[w,k] stock, f[w,p] earmark for each (region, SKU) pair p with demand, then sales.

    Earmarks exist only for the pairs in the quantile table (5 x 2,463 columns on the UCI bench
    instead of 5 x 36 x 199). Sales use two concave curves per pair: ``a`` (all sales, segment by
    segment) and ``b`` (local sales), valued ``(margin - late_penalty) * G(A) + late_penalty * G(B)``
    where ``G`` is the expected-sales curve, ``A = sum a <= all earmarks``, ``B = sum b <= local
    earmarks`` and ``B <= A``. This equals selling each segment locally or remotely (local sales
    take the best segments) with three rows per pair instead of one row per segment more.
    """

    def __init__(self, network: Network, seg: DemandSegments, totals: np.ndarray, params: PlacementParams) -> None:
        self.net, self.seg, self.totals, self.p = network, seg, totals, params
        self.W, self.R, self.K = len(network.warehouses), len(network.regions), len(seg.skus)
        self.n_x = self.W * self.K
        self.n_pairs = len(seg.pair_region)
        self.n_f = self.W * self.n_pairs
        self.n_s = len(seg.width)
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.n_rows = 0

    def x(self, w: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.asarray(w * self.K + k)

    def f(self, w: np.ndarray, pair: np.ndarray) -> np.ndarray:
        return np.asarray(self.n_x + w * self.n_pairs + pair)

    def s_local(self, i: np.ndarray) -> np.ndarray:
        """Columns of ``b``: the local-sales curve."""
        return self.n_x + self.n_f + i

    def s_all(self, i: np.ndarray) -> np.ndarray:
        """Columns of ``a``: the all-sales curve."""
        return self.n_x + self.n_f + self.n_s + i

    def _add_rows(self, row: np.ndarray, col: np.ndarray, val: np.ndarray, lo: np.ndarray, up: np.ndarray) -> None:
        self.rows.append(row + self.n_rows)
        self.cols.append(col)
        self.vals.append(val.astype(float))
        self.lower.append(lo)
        self.upper.append(up)
        self.n_rows += len(lo)

    def _constraints(self) -> None:
        seg, n_s = self.seg, self.n_s
        i = np.arange(n_s)
        one = np.ones(n_s)
        # local sales never exceed all sales of a pair
        self._add_rows(
            np.concatenate([seg.pair, seg.pair]),
            np.concatenate([self.s_local(i), self.s_all(i)]),
            np.concatenate([one, -one]),
            np.full(self.n_pairs, -np.inf),
            np.zeros(self.n_pairs),
        )
        self._earmark_rows()
        # stock covers the earmarks of each warehouse and SKU
        w, pair = (a.ravel() for a in np.meshgrid(np.arange(self.W), np.arange(self.n_pairs), indexing="ij"))
        row = w * self.K + self.seg.pair_sku[pair]
        self._add_rows(
            np.concatenate([row, np.arange(self.n_x)]),
            np.concatenate([self.f(w, pair), np.arange(self.n_x)]),
            np.concatenate([np.ones(len(w)), -np.ones(self.n_x)]),
            np.full(self.n_x, -np.inf),
            np.zeros(self.n_x),
        )
        wk_w, wk_k = np.divmod(np.arange(self.n_x), self.K)
        # the whole stock of each SKU is deployed; warehouse capacity holds
        self._add_rows(wk_k, np.arange(self.n_x), np.ones(self.n_x), self.totals, self.totals)
        caps = np.array([wh.capacity for wh in self.net.warehouses], dtype=float)
        self._add_rows(wk_w, np.arange(self.n_x), np.ones(self.n_x), np.full(self.W, -np.inf), caps)

    def _earmark_rows(self) -> None:
        """Local sales of a region x SKU need stock earmarked in local warehouses, all sales in any."""
        seg, n_s = self.seg, self.n_s
        n_pairs = len(seg.pair_region)
        i = np.arange(n_s)
        grid_w, grid_p = np.meshgrid(np.arange(self.W), np.arange(n_pairs), indexing="ij")
        pw, pp = grid_w.ravel(), grid_p.ravel()
        is_local = self.net.local[pw, seg.pair_region[pp]]
        for kind, s_col, mask, offset in (
            ("local", self.s_local(i), is_local, 0),
            ("all", self.s_all(i), np.ones_like(is_local), n_pairs),
        ):
            del kind
            rows = np.concatenate([seg.pair + offset, pp[mask] + offset])
            cols = np.concatenate([s_col, self.f(pw[mask], pp[mask])])
            vals = np.concatenate([np.ones(n_s), -np.ones(int(mask.sum()))])
            self.rows.append(rows + self.n_rows)
            self.cols.append(cols)
            self.vals.append(vals)
        self.lower.append(np.full(2 * n_pairs, -np.inf))
        self.upper.append(np.zeros(2 * n_pairs))
        self.n_rows += 2 * n_pairs

    def solve(self) -> tuple[np.ndarray, float]:
        import highspy
        from scipy.sparse import coo_matrix

        self._constraints()
        n = self.n_x + self.n_f + 2 * self.n_s
        matrix = coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))), shape=(self.n_rows, n)
        ).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, self.n_rows
        lp.col_cost_ = self._objective()
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.concatenate(
            [np.full(self.n_x + self.n_f, highspy.kHighsInf), self.seg.width, self.seg.width]
        )
        lp.row_lower_, lp.row_upper_ = np.concatenate(self.lower), np.concatenate(self.upper)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        if self.p.integer_stock:
            kinds = [highspy.HighsVarType.kInteger] * self.n_x + [highspy.HighsVarType.kContinuous] * (n - self.n_x)
            lp.integrality_ = kinds
        return self._run(highspy, lp)

    def _run(self, highspy: object, lp: object) -> tuple[np.ndarray, float]:
        hs = highspy.Highs()  # type: ignore[attr-defined]
        hs.silent()
        hs.setOptionValue("time_limit", float(self.p.time_limit))
        hs.setOptionValue("random_seed", 0)
        hs.passModel(lp)
        hs.run()
        status = hs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:  # type: ignore[attr-defined]
            raise PlacementError(
                PlacementErrorCode.SOLVER_FAILED, f"HiGHS stopped with status {hs.modelStatusToString(status)}"
            )
        return np.asarray(hs.getSolution().col_value), float(hs.getInfo().objective_function_value)

    def _objective(self) -> np.ndarray:
        p, net = self.p, self.net
        holding = np.repeat([w.holding_cost for w in net.warehouses], self.K)
        transport = (net.km[:, self.seg.pair_region] * p.cost_per_unit_km).reshape(-1)
        local_value = self.seg.gain * p.late_penalty
        all_value = self.seg.gain * (p.unit_margin - p.late_penalty)
        return np.concatenate([-holding, -transport, local_value, all_value])

    def _spread_slack(self, values: np.ndarray) -> np.ndarray:
        """Stock earmarked for no region goes where demand reaches first, not wherever the solver left it.

        The total of each SKU must be deployed, so stock beyond every profitable demand segment
        (slack) earns nothing and costs only holding. When holding costs are equal that placement
        is arbitrary to the solver; it is spread over the warehouses in proportion to the expected
        demand of the regions each is nearest to (the objective is unchanged). Kept as solved for
        MIPs, unequal holding costs, or when the spread would break a capacity.
        """
        x = values[: self.n_x].reshape(self.W, self.K).copy()
        holding = {w.holding_cost for w in self.net.warehouses}
        if self.p.integer_stock or len(holding) > 1:
            return x
        f = values[self.n_x : self.n_x + self.n_f].reshape(self.W, self.n_pairs)
        earmarked = np.zeros((self.W, self.K))
        np.add.at(earmarked.T, self.seg.pair_sku, f.T)
        slack = np.clip(x - earmarked, 0.0, None).sum(axis=0)
        mean = np.bincount(self.seg.pair, self.seg.width * self.seg.gain, minlength=self.n_pairs)
        demand = np.zeros((self.W, self.K))
        np.add.at(demand, (self.net.nearest[self.seg.pair_region], self.seg.pair_sku), mean)
        col = demand.sum(axis=0)
        spread = np.divide(demand, col, out=np.zeros_like(demand), where=col > 0) * slack
        new = np.where(col > 0, np.minimum(x, earmarked) + spread, x)
        caps = np.array([w.capacity for w in self.net.warehouses], dtype=float)
        return new if (new.sum(axis=1) <= caps + 1e-6).all() else x

    def read(self, values: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        x = self._spread_slack(values)
        w_idx, k_idx = np.meshgrid(np.arange(self.W), np.arange(self.K), indexing="ij")
        stock = pd.DataFrame(
            {
                "warehouse": [self.net.warehouses[i].name for i in w_idx.ravel()],
                "sku": self.seg.skus[k_idx.ravel()],
                "units": np.round(x.ravel(), 6),
            }
        )
        sl, sa = values[self.s_local(np.arange(self.n_s))], values[self.s_all(np.arange(self.n_s))]
        pairs = pd.DataFrame({"pair": self.seg.pair, "local": sl * self.seg.gain, "sales": sa * self.seg.gain})
        agg = pairs.groupby("pair", as_index=True)[["local", "sales"]].sum()
        region = np.asarray(self.seg.pair_region)[agg.index]
        sku = self.seg.skus[np.asarray(self.seg.pair_sku)[agg.index]]
        expected = pd.DataFrame(
            {
                "region": [self.net.regions[i].name for i in region],
                "sku": sku,
                "expected_local": agg["local"].to_numpy(),
                "expected_sales": agg["sales"].to_numpy(),
            }
        )
        return stock[stock["units"] > 0].reset_index(drop=True), expected
