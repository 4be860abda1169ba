"""From daily forecasts with intervals to quantiles of the total demand over the horizon."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wujie.forecasting.errors import ForecastingErrorCode, InvalidFrame
from wujie.forecasting.frames import ID
from wujie.forecasting.metrics import quantile_columns


def horizon_total_quantiles(
    forecasts: pd.DataFrame, model: str, quantiles: Sequence[float], level: int = 80
) -> pd.DataFrame:
    """Quantiles of each series' total demand over the forecast horizon.

    The total's mean is the sum of the point forecasts; its standard deviation is
    ``sqrt(sum sigma_t^2)`` with ``sigma_t`` read off the ``level`` % interval of each period as a
    normal band (periods taken as independent). Quantiles are truncated at zero.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, quantile, demand``.
    """
    from scipy.stats import norm

    lo, hi, _, q_hi = quantile_columns(model, level)
    if any(c not in forecasts.columns for c in (model, lo, hi)):
        raise InvalidFrame(ForecastingErrorCode.MISSING_COLUMNS, f"forecasts need {model}, {lo} and {hi}")
    sigma = (forecasts[hi] - forecasts[lo]).clip(lower=0) / (2 * float(norm.ppf(q_hi)))
    grouped = pd.DataFrame({ID: forecasts[ID], "mean": forecasts[model], "var": sigma**2}).groupby(ID)
    totals = grouped.agg(mean=("mean", "sum"), var=("var", "sum")).reset_index()
    sd = np.sqrt(totals["var"])
    rows = [
        pd.DataFrame(
            {ID: totals[ID], "quantile": q, "demand": (totals["mean"] + float(norm.ppf(q)) * sd).clip(lower=0)}
        )
        for q in quantiles
    ]
    return pd.concat(rows, ignore_index=True)
