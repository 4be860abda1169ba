"""The validated parameters of :class:`~wujie.forecasting.estimator.Forecaster`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from wujie.forecasting.errors import InvalidParams
from wujie.forecasting.frames import FramePolicy

STATISTICAL = ("seasonal_naive", "autoets", "theta")
BATCHED = ("holt_winters",)
GLOBAL = ("lightgbm",)
ENSEMBLE = ("lightgbm_ensemble",)
MODELS = STATISTICAL + BATCHED + GLOBAL + ENSEMBLE
#: Members and weights of ``lightgbm_ensemble`` (chosen on a validation window before the held-out one).
DEFAULT_ENSEMBLE = (("lightgbm", 0.7), ("autoets", 0.3))
ETS_COMPONENTS = ("Z", "A", "M", "N")


@dataclass(frozen=True)
class LightGBMParams:
    """The global LightGBM model: Tweedie loss over lag, calendar, event and price features.

    The defaults were chosen on a validation window (the 28 days before the held-out window of
    ``wujie forecast evaluate``) of both real datasets; see docs/brain.md.

    Parameters
    ----------
    lags
        Target lags used as features (periods).
    rolling_windows
        Windows of rolling means of the target.
    rolling_lags
        Lags at which the rolling means are taken (a lag of at least the horizon avoids feeding
        the model its own forecasts).
    n_estimators, learning_rate, num_leaves, min_child_samples
        LightGBM settings (``objective="tweedie"``).
    tweedie_variance_power
        Between 1 (Poisson) and 2 (gamma); retail demand with many zeros sits near 1.1-1.3.
    scale_per_series
        Scale each series to [0, 1] (min-max, restored after forecasting) so that one model learns
        shapes shared by big and small series. Off by default: on the validation windows of both
        datasets the unscaled model was better (WRMSSE 0.932 vs 0.926 Complete Journey,
        0.985 vs 1.007 UCI).
    threads
        LightGBM threads. One by default: on a shared 2-core machine two OpenMP threads measured
        2.5-4x slower per tree than one (busy-waiting against other processes).
    events
        Add the sale-day features (``is_event``, ``days_to_event``, ``days_since_event``).
    calibration_periods
        Periods held back at the end of every series: the model is trained without them, scored on
        them (split-conformal intervals) and they are then appended for forecasting; ``None``
        means ``max_horizon``.
    max_bin
        LightGBM histogram bins per feature.
    train_periods
        Train on at most the last ``train_periods`` feature rows of each series (before the
        calibration tail); earlier observations only feed the lags. ``None`` uses every row.
        150 was tried on the validation windows: LightGBM WRMSSE 0.9298 vs 0.9320 (Complete
        Journey), 0.9848 vs 0.9845 (UCI), but the ensemble lost (0.9276 vs 0.9243, 0.9761 vs
        0.9750), so 182 stays; 120 was worse on both (0.9458, 0.9869).
    """

    lags: tuple[int, ...] = (7, 14, 21, 28, 35, 42, 49, 56)
    rolling_windows: tuple[int, ...] = (7, 28)
    rolling_lags: tuple[int, ...] = (7, 28)
    n_estimators: int = 150
    learning_rate: float = 0.1
    num_leaves: int = 63
    min_child_samples: int = 20
    tweedie_variance_power: float = 1.5
    calibration_periods: int | None = None
    max_bin: int = 63
    train_periods: int | None = 182
    events: bool = True
    scale_per_series: bool = False
    threads: int = 1

    def __post_init__(self) -> None:
        if not self.lags or min(self.lags) < 1:
            raise InvalidParams("lags must be positive", lags=str(self.lags))
        if self.rolling_lags and min(self.rolling_lags) < 1:
            raise InvalidParams("rolling lags must be positive", rolling_lags=str(self.rolling_lags))
        if self.rolling_windows and min(self.rolling_windows) < 2:
            raise InvalidParams("rolling windows must be >= 2", rolling_windows=str(self.rolling_windows))
        if self.n_estimators < 1 or not 0 < self.learning_rate <= 1 or self.num_leaves < 2:
            raise InvalidParams("n_estimators >= 1, 0 < learning_rate <= 1 and num_leaves >= 2 are required")
        if not 1.0 <= self.tweedie_variance_power < 2.0:
            raise InvalidParams("tweedie_variance_power must be in [1, 2)", power=self.tweedie_variance_power)
        if self.threads < 1:
            raise InvalidParams("threads must be >= 1", threads=self.threads)
        if self.calibration_periods is not None and self.calibration_periods < 2:
            raise InvalidParams("calibration_periods must be >= 2", calibration_periods=self.calibration_periods)
        if self.train_periods is not None and self.train_periods < 1:
            raise InvalidParams("train_periods must be >= 1", train_periods=self.train_periods)
        if self.max_bin < 2:
            raise InvalidParams("max_bin must be >= 2", max_bin=self.max_bin)


@dataclass(frozen=True)
class ForecasterParams:
    """What :class:`Forecaster` fits.

    Parameters
    ----------
    models
        Any of ``seasonal_naive``, ``autoets``, ``theta`` (statsforecast, one model per series),
        ``holt_winters`` (ETS(A,N,A) fitted for all series at once in numpy, see
        :mod:`wujie.forecasting.batched`), ``lightgbm`` (mlforecast, one global model) and
        ``lightgbm_ensemble`` (the weighted mean of the ``ensemble`` members' forecasts and bounds).
    freq
        Pandas offset alias of the series.
    season_length
        Periods per season (7 for daily data with a weekly cycle).
    ets_spec
        The AutoETS model string (error, trend, season). A fixed spec such as ``"ANA"`` fits in a
        few ms per series; ``"ZZZ"`` searches all models (~0.4 s per series).
    max_horizon
        Longest horizon ``predict`` will be asked for with intervals (the LightGBM conformal
        calibration uses windows of this length).
    min_length
        Series with fewer observations than this (default ``2 * season_length``) get the fallback
        forecast (historic average) in every model column; see ``Forecaster.fallback_ids_``.
    event_dates
        Sale days for the event features; empty means :func:`default_event_dates`.
    frame
        Gap and negative-demand policy applied by ``fit``.
    seed
        Seed of LightGBM (bagging, feature sampling) so that runs repeat exactly.
    n_jobs
        Processes for statsforecast (LightGBM threads are ``lightgbm.threads``).
    ensemble
        ``(model, weight)`` pairs of ``lightgbm_ensemble``: positive weights summing to 1, with
        ``lightgbm`` among the members.
    """

    models: tuple[str, ...] = MODELS
    freq: str = "D"
    season_length: int = 7
    ets_spec: str = "ANA"
    max_horizon: int = 28
    min_length: int | None = None
    event_dates: tuple[date, ...] = ()
    lightgbm: LightGBMParams = field(default_factory=LightGBMParams)
    frame: FramePolicy | None = None
    seed: int = 0
    n_jobs: int = 1
    ensemble: tuple[tuple[str, float], ...] = DEFAULT_ENSEMBLE

    def __post_init__(self) -> None:
        unknown = [m for m in self.models if m not in MODELS]
        if not self.models or unknown or len(set(self.models)) != len(self.models):
            raise InvalidParams(f"models must be distinct names among {', '.join(MODELS)}", models=str(self.models))
        if self.season_length < 1 or self.max_horizon < 1 or self.n_jobs < 1:
            raise InvalidParams("season_length, max_horizon and n_jobs must be >= 1")
        if len(self.ets_spec) != 3 or any(c not in ETS_COMPONENTS for c in self.ets_spec.upper()):
            raise InvalidParams("ets_spec is three letters of Z/A/M/N, e.g. 'ANA'", ets_spec=self.ets_spec)
        if self.min_length is not None and self.min_length < 1:
            raise InvalidParams("min_length must be >= 1", min_length=self.min_length)
        self._check_ensemble()
        if self.frame is None:
            object.__setattr__(self, "frame", FramePolicy(freq=self.freq))
        elif self.frame.freq != self.freq:
            raise InvalidParams("frame.freq must equal freq", freq=self.freq, frame_freq=self.frame.freq)

    def _check_ensemble(self) -> None:
        names = [name for name, _ in self.ensemble]
        weights = [weight for _, weight in self.ensemble]
        if (
            "lightgbm" not in names
            or len(set(names)) != len(names)
            or any(n not in MODELS or n in ENSEMBLE for n in names)
            or min(weights) <= 0
            or abs(sum(weights) - 1.0) > 1e-9
        ):
            raise InvalidParams(
                "ensemble: distinct member models including lightgbm, positive weights summing to 1",
                ensemble=str(self.ensemble),
            )

    @property
    def effective_min_length(self) -> int:
        """Shortest series a model (not the fallback) forecasts."""
        return self.min_length if self.min_length is not None else 2 * self.season_length

    @property
    def frame_policy(self) -> FramePolicy:
        """The validated frame policy (never None after construction)."""
        assert self.frame is not None
        return self.frame
