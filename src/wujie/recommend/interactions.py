"""Interaction logs: validation, cleaning and the weighted user x item matrix.

The contract is a long frame with one row per event: ``user, item, event, timestamp`` and an
optional ``region``. Events are ``view``, ``cart`` or ``buy``; each carries a weight
(:class:`EventWeights`) and a user's weights for an item are summed, then log-scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from scipy import sparse

from wujie.recommend.errors import EmptyInteractions, InvalidInteractions, InvalidParams, RecommendErrorCode

EVENTS: tuple[str, ...] = ("view", "cart", "buy")
REQUIRED: tuple[str, ...] = ("user", "item", "event", "timestamp")
COLUMNS: tuple[str, ...] = (*REQUIRED, "region")


@dataclass(frozen=True, slots=True)
class EventWeights:
    """How much one event of each kind says about a user's taste (all > 0)."""

    view: float = 1.0
    cart: float = 3.0
    buy: float = 5.0

    def __post_init__(self) -> None:
        for name in EVENTS:
            value = getattr(self, name)
            if not value > 0 or not np.isfinite(value):
                raise InvalidParams(f"event weight {name} must be a finite number > 0", **{name: value})

    def of(self, event: str) -> float:
        """Return the weight of ``event`` (0.0 for an unknown kind)."""
        return float(getattr(self, event, 0.0)) if event in EVENTS else 0.0


@dataclass(frozen=True, slots=True)
class CleaningReport:
    """What :func:`clean_interactions` did to a log."""

    rows_in: int
    rows_out: int
    duplicates: int
    bad_rows: int


def clean_interactions(frame: pd.DataFrame, *, strict: bool = True) -> tuple[pd.DataFrame, CleaningReport]:
    """Validate and normalise an interaction log.

    Parameters
    ----------
    frame
        Columns ``user, item, event, timestamp`` (and optionally ``region``). Ids become strings,
        events are lower-cased, timestamps become timezone-aware UTC.
    strict
        When true, a row with an empty id, an unknown event or a malformed timestamp raises
        :class:`InvalidInteractions` (naming the first bad row); when false such rows are dropped
        and counted in the report.

    Returns
    -------
    tuple
        The clean frame (sorted by timestamp, exact duplicate events removed) and a report.
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidInteractions(
            RecommendErrorCode.MISSING_COLUMNS, f"missing columns: {', '.join(missing)}", missing=",".join(missing)
        )
    out = pd.DataFrame(
        {
            "user": _ids(frame["user"]),
            "item": _ids(frame["item"]),
            "event": frame["event"].astype("string[pyarrow]").str.strip().str.lower(),
            "timestamp": _timestamps(frame["timestamp"]),
            "region": _ids(frame["region"]) if "region" in frame.columns else pd.Series("", index=frame.index),
        }
    )
    out["region"] = out["region"].fillna("")
    bad = _bad_rows(out, strict)
    out = out.loc[~bad]
    before = len(out)
    out = out.drop_duplicates(subset=["user", "item", "event", "timestamp"])
    out = out.sort_values("timestamp", kind="stable").reset_index(drop=True)
    report = CleaningReport(len(frame), len(out), before - len(out), int(bad.sum()))
    return out, report


def _ids(column: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(column):
        # ids read from CSV with blanks arrive as floats (17850.0): keep their integer spelling
        as_int = column.round().astype("Int64")
        return as_int.astype("string[pyarrow]")
    return column.astype("string[pyarrow]").str.strip()


def _timestamps(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return column.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(column):
        return column.dt.tz_localize("UTC")
    if pd.api.types.is_numeric_dtype(column):
        return pd.to_datetime(column, unit="s", utc=True, errors="coerce")
    return pd.to_datetime(column.astype("string[pyarrow]"), utc=True, errors="coerce", format="mixed")


def _bad_rows(frame: pd.DataFrame, strict: bool) -> pd.Series:
    checks = (
        (frame["user"].isna() | (frame["user"] == ""), RecommendErrorCode.MISSING_ID, "empty user id"),
        (frame["item"].isna() | (frame["item"] == ""), RecommendErrorCode.MISSING_ID, "empty item id"),
        (~frame["event"].isin(EVENTS).fillna(False), RecommendErrorCode.UNKNOWN_EVENT, "unknown event"),
        (frame["timestamp"].isna(), RecommendErrorCode.MALFORMED_TIMESTAMP, "malformed timestamp"),
    )
    bad = pd.Series(False, index=frame.index)
    for raw, code, what in checks:
        mask = raw.fillna(True).astype(bool)
        if strict and mask.any():
            row = int(np.flatnonzero(mask.to_numpy())[0])
            raise InvalidInteractions(
                code, f"{what} in row {row} (events must be one of {', '.join(EVENTS)})", row=row, count=int(mask.sum())
            )
        bad |= mask
    return bad


@dataclass(frozen=True, slots=True)
class InteractionMatrix:
    """A cleaned log as a sparse user x item matrix with its id maps.

    Attributes
    ----------
    user_ids, item_ids
        Row and column labels.
    matrix
        CSR float32 ``log1p(sum of event weights)`` per user and item.
    user_region
        Each user's most frequent region ('' when the log has none).
    """

    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    user_index: dict[str, int]
    item_index: dict[str, int]
    matrix: sparse.csr_matrix
    user_region: dict[str, str]
    item_region_users: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, weights: EventWeights, half_life_days: float = 0.0) -> InteractionMatrix:
        """Build the matrix from a frame already passed through :func:`clean_interactions`.

        With ``half_life_days > 0`` each event's weight halves per half-life before the last event.
        """
        if frame.empty:
            raise EmptyInteractions()
        users = pd.Categorical(frame["user"])
        items = pd.Categorical(frame["item"])
        values = frame["event"].map({e: weights.of(e) for e in EVENTS}).to_numpy(dtype=np.float64)
        if half_life_days > 0:
            age_days = (frame["timestamp"].max() - frame["timestamp"]).dt.total_seconds().to_numpy() / 86400.0
            values = values * np.power(0.5, age_days / half_life_days)
        shape = (len(users.categories), len(items.categories))
        coo = sparse.coo_matrix((values, (users.codes, items.codes)), shape=shape, dtype=np.float32)
        matrix = coo.tocsr()  # sums duplicates
        matrix.data = np.log1p(matrix.data).astype(np.float32)
        user_ids = tuple(str(u) for u in users.categories)
        item_ids = tuple(str(i) for i in items.categories)
        pairs = pd.DataFrame({"user": users.codes, "item": items.codes, "region": frame["region"].to_numpy()})
        return cls(
            user_ids=user_ids,
            item_ids=item_ids,
            user_index={u: n for n, u in enumerate(user_ids)},
            item_index={i: n for n, i in enumerate(item_ids)},
            matrix=matrix,
            user_region=_main_region(pairs, user_ids),
            item_region_users=pairs.drop_duplicates(["user", "item", "region"]),
        )


def _main_region(pairs: pd.DataFrame, user_ids: tuple[str, ...]) -> dict[str, str]:
    counts = pairs.groupby(["user", "region"], observed=True).size().reset_index(name="n")
    counts = counts.sort_values(["user", "n", "region"], ascending=[True, False, True])
    first = counts.drop_duplicates("user")
    return {user_ids[int(u)]: str(r) for u, r in zip(first["user"], first["region"], strict=True)}
