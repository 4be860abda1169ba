"""Additive Holt-Winters, ETS(A,N,A), fitted for many series at once with numpy.

statsforecast fits one series at a time with a Nelder-Mead search over the smoothing parameters
*and* the initial states (about 10-20 ms a series on this machine, measured). Here every series
is fitted in the same array operations: the initial states come from a classical additive
decomposition (as statsforecast's own starting values), and the smoothing parameters ``alpha``
and ``gamma`` are chosen per series on a grid by the in-sample sum of squared one-step errors.
Intervals are the analytical ETS(A,N,A) ones (Hyndman et al. 2008, class 1), computed for all
series at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wujie.forecasting.frames import DS, ID, Y

NAME = "holt_winters"
#: Smoothing grids: alpha for the level, gamma for the seasonal states (gamma <= 1 - alpha).
ALPHAS = (0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8)
GAMMAS = (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.35)
#: Series fitted per block (bounds memory: block x grid x season floats).
BLOCK = 1024


@dataclass(frozen=True)
class SeriesMatrix:
    """Series right-aligned in one matrix (NaN before each series' start)."""

    ids: np.ndarray
    values: np.ndarray
    lengths: np.ndarray
    last_ds: np.ndarray


def to_matrix(df: pd.DataFrame) -> SeriesMatrix:
    """Stack the contiguous, sorted series of a validated frame (``unique_id, ds, y``) right-aligned."""
    codes, ids = pd.factorize(df[ID], sort=True)
    lengths = np.bincount(codes, minlength=len(ids))
    width = int(lengths.max())
    order = np.argsort(codes, kind="stable")
    code_sorted = codes[order]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    pos = np.arange(len(order)) - starts[code_sorted] + (width - lengths[code_sorted])
    values = np.full((len(ids), width), np.nan)
    values[code_sorted, pos] = df[Y].to_numpy(dtype=float)[order]
    last = df.groupby(codes, sort=True)[DS].max().to_numpy()
    return SeriesMatrix(np.asarray(ids, dtype=object), values, lengths, last)


def _centred_moving_average(values: np.ndarray, m: int) -> np.ndarray:
    """Classical decomposition trend: centred ``m`` (odd) or ``2 x m`` (even) moving average, NaN where incomplete."""
    weights = np.full(m, 1.0 / m) if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m
    k = len(weights)
    n, width = values.shape
    out = np.full((n, width), np.nan)
    if width < k:
        return out
    acc = np.zeros((n, width - k + 1))
    for j, w in enumerate(weights):
        acc += w * values[:, j : width - k + 1 + j]  # NaN anywhere in the window stays NaN
    out[:, k // 2 : k // 2 + width - k + 1] = acc
    return out


def initial_states(values: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Level and seasonal starting values from a classical additive decomposition.

    Parameters
    ----------
    values
        Right-aligned series (NaN before each start), shape ``(n, width)``.
    m
        Season length.

    Returns
    -------
    level : (n,) array
        Mean of the first ``max(10, 2m)`` seasonally adjusted observations of each series.
    seasonal : (n, m) array
        Seasonal index by column position modulo ``m`` (zero mean per series).
    """
    n, width = values.shape
    detrended = values - _centred_moving_average(values, m)
    position = np.arange(width) % m
    seasonal = np.zeros((n, m))
    finite = np.isfinite(detrended)
    for k in range(m):
        cols = position == k
        count = finite[:, cols].sum(axis=1)
        total = np.where(finite[:, cols], detrended[:, cols], 0.0).sum(axis=1)
        seasonal[:, k] = np.divide(total, count, out=np.zeros(n), where=count > 0)
    seasonal -= seasonal.mean(axis=1, keepdims=True)
    adjusted = values - seasonal[:, position]
    first = np.argmax(np.isfinite(values), axis=1)
    cols2 = first[:, None] + np.arange(max(10, 2 * m))[None, :]
    window = np.take_along_axis(adjusted, np.minimum(cols2, width - 1), axis=1)
    window = np.where(cols2 < width, window, np.nan)
    return np.nanmean(window, axis=1), seasonal


@dataclass(frozen=True)
class HoltWintersFit:
    """Per series: chosen ``alpha``, ``gamma``, residual variance and final states."""

    alpha: np.ndarray
    gamma: np.ndarray
    sigma2: np.ndarray
    level: np.ndarray
    seasonal: np.ndarray


def _grid() -> tuple[np.ndarray, np.ndarray]:
    pairs = [(a, g) for a in ALPHAS for g in GAMMAS if g <= 1.0 - a]
    return np.array([a for a, _ in pairs]), np.array([g for _, g in pairs])


def fit_block(values: np.ndarray, m: int) -> HoltWintersFit:
    """Fit ETS(A,N,A) to every row of ``values`` (right-aligned, NaN before the start).

    Every (alpha, gamma) pair of the grid is run for every series in the same array operations;
    each series keeps the pair with the least sum of squared one-step errors.
    """
    n, width = values.shape
    alphas, gammas = _grid()
    l0, s0 = initial_states(values, m)
    level = np.repeat(l0[:, None], len(alphas), axis=1)
    seasonal = np.ascontiguousarray(np.repeat(s0.T[:, :, None], len(alphas), axis=2))  # (m, n, grid)
    sse = np.zeros_like(level)
    observed = np.nan_to_num(values)
    live = np.isfinite(values)
    everyone = live.all(axis=0)
    error, step = np.empty_like(level), np.empty_like(level)
    for t in range(int(np.argmax(live.any(axis=0))), width):
        state = seasonal[t % m]  # a view: updated in place
        np.subtract(observed[:, t : t + 1], level, out=error)
        error -= state
        if not everyone[t]:
            error *= live[:, t : t + 1]  # zero before a series' start: no update
        np.multiply(error, error, out=step)
        sse += step
        np.multiply(error, alphas, out=step)
        level += step
        np.multiply(error, gammas, out=step)
        state += step
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    n_obs = np.isfinite(values).sum(axis=1)
    n_par = 2 + m + 1  # alpha, gamma, l0, m - 1 seasonal states, as statsforecast counts them
    sigma2 = sse[rows, best] / np.maximum(n_obs - n_par - 1, 1)
    return HoltWintersFit(alphas[best], gammas[best], sigma2, level[rows, best], seasonal[:, rows, best].T.copy())


def point_forecasts(fit: HoltWintersFit, width: int, h: int, m: int) -> np.ndarray:
    """``(n, h)`` forecasts: the last level plus the seasonal state of each future column."""
    future = (width + np.arange(h)) % m
    return np.asarray(fit.level[:, None] + fit.seasonal[:, future])


def interval_halfwidths(fit: HoltWintersFit, h: int, m: int, level: Sequence[int]) -> dict[int, np.ndarray]:
    """Half-widths of the normal ``level`` % intervals of ETS(A,N,A), ``(n, h)`` per level.

    The h-step variance is ``sigma2 * (1 + alpha^2 (j - 1) + gamma k_j (2 alpha + gamma))`` with
    ``k_j = floor((j - 1) / m)`` for step ``j`` (Hyndman et al. 2008, table 6.1).
    """
    from scipy.stats import norm

    steps = np.arange(1, h + 1)
    k = np.floor((steps - 1) / m)
    a, g = fit.alpha[:, None], fit.gamma[:, None]
    sd = np.sqrt(fit.sigma2[:, None] * (1.0 + a * a * (steps - 1) + g * k * (2.0 * a + g)))
    return {lv: float(norm.ppf(0.5 + lv / 200.0)) * sd for lv in level}


class HoltWinters:
    """ETS(A,N,A) for many series at once; same frame contract as the statsforecast models."""

    def __init__(self, season_length: int, freq: str) -> None:
        self.m = season_length
        self.freq = freq
        self._matrix: SeriesMatrix | None = None
        self._fit: HoltWintersFit | None = None

    def fit(self, df: pd.DataFrame) -> HoltWinters:
        """Fit every series of a validated frame (``unique_id, ds, y``, no gaps)."""
        matrix = to_matrix(df)
        blocks = [fit_block(matrix.values[i : i + BLOCK], self.m) for i in range(0, len(matrix.ids), BLOCK)]
        self._matrix = matrix
        fields = ("alpha", "gamma", "sigma2", "level", "seasonal")
        self._fit = HoltWintersFit(*(np.concatenate([getattr(b, f) for b in blocks]) for f in fields))
        return self

    def predict(self, h: int, level: Sequence[int]) -> pd.DataFrame:
        """``unique_id, ds, holt_winters[, holt_winters-lo-<lv>, holt_winters-hi-<lv>]``."""
        assert self._matrix is not None and self._fit is not None
        matrix, fit = self._matrix, self._fit
        mean = point_forecasts(fit, matrix.values.shape[1], h, self.m)
        dates = _future_dates(pd.DatetimeIndex(matrix.last_ds), h, self.freq)
        out = pd.DataFrame({ID: np.repeat(matrix.ids, h), DS: dates, NAME: mean.ravel()})
        for lv, half in interval_halfwidths(fit, h, self.m, level).items():
            out[f"{NAME}-lo-{lv}"] = (mean - half).ravel()
            out[f"{NAME}-hi-{lv}"] = (mean + half).ravel()
        return out


def _future_dates(last: pd.DatetimeIndex, h: int, freq: str) -> np.ndarray:
    """``h`` dates after each of ``last``, flattened series by series."""
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.offsets.Tick):
        step = np.timedelta64(pd.Timedelta(offset))
        return np.asarray(last.values[:, None] + step * np.arange(1, h + 1)[None, :]).ravel()
    return np.concatenate([pd.date_range(d, periods=h + 1, freq=offset)[1:].values for d in last])
