"""Parameters of the store twin (validated)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from wujie.stores.errors import ParamsInvalid


@dataclass(frozen=True, slots=True)
class TwinParams:
    """How many shoppers, how they behave, and how noisy the sensors are.

    Behaviour defaults are typical of a small self-service store: about five planned items, a few
    impulse picks, a glance at one shelf in three passed, one in seven picked items put back,
    0.9-1.4 m/s walking, a gate passage of 2.5-4 s. The sensor defaults are the "noisy" setting;
    :meth:`clean` switches the noise off.
    """

    shoppers: int = 1000
    seed: int = 0
    day: date = date(2026, 11, 11)
    list_mean: float = 4.0
    impulse_rate: float = 0.015
    glance_rate: float = 0.3
    put_back_rate: float = 0.15
    double_rate: float = 0.12
    speed_range: tuple[float, float] = (0.9, 1.4)
    shelf_dwell_median_s: float = 20.0
    tailgaters: float = 0.003
    service_range_s: tuple[float, float] = (2.5, 4.0)
    track_hz: float = 1.0
    jitter_m: float = 0.15
    missed_read: float = 0.01
    duplicate_read: float = 0.05
    truth_hz: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.shoppers <= 200_000:
            raise ParamsInvalid("shoppers must be within 1..200,000", shoppers=self.shoppers)
        rates = (self.impulse_rate, self.glance_rate, self.put_back_rate, self.double_rate, self.tailgaters)
        if any(not 0 <= r <= 1 for r in (*rates, self.missed_read, self.duplicate_read)):
            raise ParamsInvalid("rates and probabilities must be within [0, 1]")
        if self.list_mean < 0 or self.jitter_m < 0 or self.shelf_dwell_median_s <= 0:
            raise ParamsInvalid("list_mean and jitter_m must be >= 0, shelf_dwell_median_s > 0")
        if not 0 < self.speed_range[0] <= self.speed_range[1]:
            raise ParamsInvalid("speed_range must be 0 < low <= high")
        if not 1.0 <= self.service_range_s[0] <= self.service_range_s[1]:
            raise ParamsInvalid("service_range_s must be 1 <= low <= high (a gate passage takes time)")
        if not 0.1 <= self.track_hz <= 30 or not 0.5 <= self.truth_hz <= 50:
            raise ParamsInvalid("track_hz must be within [0.1, 30] and truth_hz within [0.5, 50]")

    def clean(self) -> TwinParams:
        """Return these parameters with every sensor noise switched off."""
        return replace(self, jitter_m=0.0, missed_read=0.0, duplicate_read=0.0)

    @property
    def day_start_ms(self) -> int:
        """Midnight (UTC) of the simulated day, in epoch milliseconds."""
        return int(datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC).timestamp() * 1000)
