"""The long-format frame contract (``unique_id, ds, y`` plus feature columns) and its checks.

Every frame that enters the library goes through :func:`validate_frame`, which either returns a
clean copy (sorted, regular, non-negative) or raises :class:`~wujie.forecasting.errors.InvalidFrame`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from wujie.forecasting.errors import ForecastingErrorCode, InvalidFrame, InvalidParams

ID, DS, Y = "unique_id", "ds", "y"
REQUIRED = (ID, DS, Y)

GapPolicy = Literal["zero", "error"]
NegativePolicy = Literal["error", "clip"]


@dataclass(frozen=True)
class FramePolicy:
    """How :func:`validate_frame` treats irregular input.

    Parameters
    ----------
    freq
        A pandas offset alias (``"D"``, ``"W-SUN"``, ``"MS"``...).
    gaps
        ``"zero"`` inserts the missing periods with ``y = 0`` (retail: no sale recorded means no
        demand) and carries feature columns forward; ``"error"`` refuses the frame.
    negative
        ``"error"`` refuses negative demand; ``"clip"`` sets it to zero (returns are not demand).
    """

    freq: str = "D"
    gaps: GapPolicy = "zero"
    negative: NegativePolicy = "error"

    def __post_init__(self) -> None:
        try:
            pd.tseries.frequencies.to_offset(self.freq)
        except ValueError as exc:
            raise InvalidParams(f"unknown frequency {self.freq!r}", freq=self.freq) from exc
        if self.gaps not in ("zero", "error"):
            raise InvalidParams("gaps must be 'zero' or 'error'", gaps=self.gaps)
        if self.negative not in ("error", "clip"):
            raise InvalidParams("negative must be 'error' or 'clip'", negative=self.negative)


def validate_frame(df: pd.DataFrame, policy: FramePolicy) -> pd.DataFrame:
    """Check ``df`` against the long-format contract and return a clean, sorted copy.

    Parameters
    ----------
    df
        Columns ``unique_id`` (any hashable, cast to ``str``), ``ds`` (datetime64), ``y`` (numeric,
        no missing values) and optional numeric feature columns.
    policy
        What to do with gaps and negative demand.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``unique_id, ds``, one row per period from each series' first to last date.

    Raises
    ------
    InvalidFrame
        Missing columns, wrong dtypes, duplicate ``(unique_id, ds)``, off-grid dates, gaps under
        ``gaps="error"``, negative demand under ``negative="error"``, or an empty frame.
    """
    _check_columns(df)
    out = df.copy()
    out[ID] = out[ID].astype(str)
    _check_dtypes(out)
    _check_values(out, policy)
    if policy.negative == "clip":
        out[Y] = out[Y].clip(lower=0)
    out[Y] = out[Y].astype("float64")
    out = out.sort_values([ID, DS], kind="stable").reset_index(drop=True)
    return _regularise(out, policy)


def _check_columns(df: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InvalidFrame(
            ForecastingErrorCode.MISSING_COLUMNS,
            f"frame lacks column(s) {', '.join(missing)}; expected unique_id, ds, y",
            missing=",".join(missing),
        )
    if df.empty:
        raise InvalidFrame(ForecastingErrorCode.EMPTY, "frame has no rows")


def _check_dtypes(df: pd.DataFrame) -> None:
    if not pd.api.types.is_datetime64_any_dtype(df[DS]):
        raise InvalidFrame(ForecastingErrorCode.WRONG_DTYPE, f"ds must be datetime64, got {df[DS].dtype}")
    for col in df.columns:
        if col in (ID, DS):
            continue
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            raise InvalidFrame(
                ForecastingErrorCode.WRONG_DTYPE, f"column {col} must be numeric, got {df[col].dtype}", column=col
            )


def _check_values(df: pd.DataFrame, policy: FramePolicy) -> None:
    if df[Y].isna().any():
        raise InvalidFrame(ForecastingErrorCode.GAPS, f"y has {int(df[Y].isna().sum())} missing value(s)")
    dup = df.duplicated([ID, DS])
    if dup.any():
        first = df.loc[dup, [ID, DS]].iloc[0]
        raise InvalidFrame(
            ForecastingErrorCode.DUPLICATE_ROWS,
            f"{int(dup.sum())} duplicate (unique_id, ds) row(s), first {first[ID]} at {first[DS]}",
            duplicates=int(dup.sum()),
        )
    if policy.negative == "error" and (df[Y] < 0).any():
        raise InvalidFrame(
            ForecastingErrorCode.NEGATIVE_DEMAND,
            f"{int((df[Y] < 0).sum())} negative y value(s); pass negative='clip' to treat them as zero",
            negatives=int((df[Y] < 0).sum()),
        )
    offset = pd.tseries.frequencies.to_offset(policy.freq)
    on_grid = df[DS].map(offset.is_on_offset) if not _is_tick_day(policy.freq) else df[DS] == df[DS].dt.normalize()
    if not bool(np.all(on_grid)):
        raise InvalidFrame(
            ForecastingErrorCode.WRONG_DTYPE,
            f"{int((~on_grid).sum())} ds value(s) are not on the {policy.freq!r} grid (aggregate them first)",
        )


def _is_tick_day(freq: str) -> bool:
    return freq.upper() == "D"


def _regularise(df: pd.DataFrame, policy: FramePolicy) -> pd.DataFrame:
    spans = df.groupby(ID, sort=False)[DS].agg(["min", "max", "size"])
    full = _full_grid(spans, policy.freq)
    missing = len(full) - len(df)
    if missing == 0:
        return df
    if policy.gaps == "error":
        raise InvalidFrame(
            ForecastingErrorCode.GAPS, f"{missing} missing period(s) inside the series; pass gaps='zero'", gaps=missing
        )
    out = _fill_grid(full, df, spans, policy.freq)
    out[Y] = out[Y].fillna(0.0)
    features = [c for c in out.columns if c not in REQUIRED]
    if features:
        out[features] = out.groupby(ID, sort=False)[features].ffill()
    return out


def _fill_grid(full: pd.DataFrame, df: pd.DataFrame, spans: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Put the rows of ``df`` (sorted by id and date) on the ``full`` grid; missing periods are NaN.

    For fixed-length frequencies each row's grid position is computed (its series' offset plus
    its periods since the series' start) instead of joining on ``(unique_id, ds)``.
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    if not isinstance(offset, pd.offsets.Tick):
        return full.merge(df, on=[ID, DS], how="left")
    step = pd.Timedelta(offset).to_timedelta64()
    counts = ((spans["max"] - spans["min"]) // pd.Timedelta(offset) + 1).astype(int).to_numpy()
    starts = np.cumsum(counts) - counts
    series = np.repeat(np.arange(len(spans)), spans["size"].to_numpy())
    first = np.repeat(spans["min"].to_numpy(), spans["size"].to_numpy())
    position = starts[series] + (df[DS].to_numpy() - first) // step
    out = full.copy()
    for col in df.columns:
        if col in (ID, DS):
            continue
        values = np.full(len(full), np.nan)
        values[position] = df[col].to_numpy(dtype="float64")
        out[col] = values
    return out


def _full_grid(spans: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Every period from each series' first to last date (vectorised for fixed-length frequencies)."""
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.offsets.Tick):
        step = pd.Timedelta(offset)
        counts = ((spans["max"] - spans["min"]) // step + 1).astype(int).to_numpy()
        starts = np.repeat(spans["min"].to_numpy(), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return pd.DataFrame(
            {ID: np.repeat(spans.index.to_numpy(), counts), DS: starts + within * step.to_timedelta64()}
        )
    return pd.concat(
        [pd.DataFrame({ID: uid, DS: pd.date_range(s["min"], s["max"], freq=freq)}) for uid, s in spans.iterrows()],
        ignore_index=True,
    )


def series_lengths(df: pd.DataFrame) -> pd.Series:
    """Return the number of observations per ``unique_id``."""
    return df.groupby(ID, sort=True).size()


def train_test_split(df: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the last ``horizon`` periods of the calendar (a common cut-off for all series).

    Parameters
    ----------
    df
        A validated frame.
    horizon
        Number of periods to hold out.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(train, test)``; series that end before the cut-off have no test rows.
    """
    dates = np.sort(df[DS].unique())
    if horizon < 1 or horizon >= len(dates):
        raise InvalidParams(f"horizon {horizon} must be in [1, {len(dates) - 1}]", horizon=horizon)
    cutoff = dates[-horizon - 1]
    return df[df[DS] <= cutoff].reset_index(drop=True), df[df[DS] > cutoff].reset_index(drop=True)
