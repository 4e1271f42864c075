"""Drawing helpers shared by the generator: weighted pools and working-hours timestamps.

`random.choices` costs a few microseconds per call; expanding weights into a pool once and using
`random.choice` keeps per-row work light enough for a million claims.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

T = TypeVar("T")

# Hours at which people register a prospect: office hours, a lunch dip, a little evening work.
_HOUR_WEIGHTS = {
    7: 1, 8: 4, 9: 10, 10: 14, 11: 13, 12: 5, 13: 8, 14: 13, 15: 13, 16: 12, 17: 10, 18: 5,
    19: 3, 20: 3, 21: 2, 22: 1,
}


def weighted_pool(items: Sequence[T], weights: Sequence[int]) -> tuple[T, ...]:
    """Each item repeated `weight` times, for fast weighted draws with random.choice."""
    return tuple(item for item, weight in zip(items, weights, strict=True) for _ in range(weight))


HOUR_POOL = weighted_pool(tuple(_HOUR_WEIGHTS), tuple(_HOUR_WEIGHTS.values()))


class Window:
    """The days claims fall on, as seconds since the window's first local midnight."""

    def __init__(self, first_day: date, last_day: date) -> None:
        self.first_day = first_day
        self.n_days = (last_day - first_day).days + 1
        self.start = datetime.combine(first_day, datetime.min.time())
        # weekends see a sixth of a weekday's registrations
        days = [first_day + timedelta(days=d) for d in range(self.n_days)]
        weights = [1 if d.weekday() >= 5 else 6 for d in days]
        self._day_pool = weighted_pool(range(self.n_days), weights)
        self._day_codes = [d.strftime("%Y%m%d") for d in days]

    @property
    def end_seconds(self) -> int:
        return self.n_days * 86400

    def day_code(self, day: int) -> str:
        """'20260501' for a day index of the window."""
        return self._day_codes[day]

    def random_moment(self, rng: random.Random) -> int:
        """A local moment in working hours, mostly on weekdays."""
        return rng.choice(self._day_pool) * 86400 + self.time_of_day(rng)

    @staticmethod
    def time_of_day(rng: random.Random) -> int:
        """Seconds after midnight, drawn from the working-hours profile."""
        return rng.choice(HOUR_POOL) * 3600 + rng.randrange(3600)

    def moment_on_day(self, day: int, rng: random.Random) -> int:
        """A working-hours moment on day `day` of the window."""
        return day * 86400 + self.time_of_day(rng)

    def local(self, seconds: int) -> datetime:
        """Naive Asia/Shanghai datetime of a moment."""
        return self.start + timedelta(seconds=seconds)


class TimeFormatter:
    """Renders moments as text quickly by caching each day's date string."""

    def __init__(self, window: Window) -> None:
        self._window = window
        days = [window.first_day + timedelta(days=d) for d in range(window.n_days)]
        self._iso_days = [d.isoformat() for d in days]
        self._slash_days = [f"{d.year}/{d.month}/{d.day}" for d in days]

    def _split(self, seconds: int) -> tuple[int, int, int, int]:
        day, rest = divmod(seconds, 86400)
        hour, rest = divmod(rest, 3600)
        return day, hour, *divmod(rest, 60)

    def plain(self, seconds: int) -> str:
        """'2026-05-03 14:02:11'"""
        day, h, m, s = self._split(seconds)
        return f"{self._iso_days[day]} {h:02d}:{m:02d}:{s:02d}"

    def iso(self, seconds: int) -> str:
        """'2026-05-03T14:02:11+08:00'"""
        day, h, m, s = self._split(seconds)
        return f"{self._iso_days[day]}T{h:02d}:{m:02d}:{s:02d}+08:00"

    def iso_utc(self, seconds: int) -> str:
        """The same instant in UTC: '2026-05-03T06:02:11Z'."""
        return (self._window.local(seconds) - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def slash_minutes(self, seconds: int) -> str:
        """'2026/5/3 14:02', the way the assistant types it (no zero padding)."""
        day, h, m, _ = self._split(seconds)
        return f"{self._slash_days[day]} {h}:{m:02d}"

    def year_typo(self, seconds: int) -> datetime:
        """The moment with the year's last two digits swapped (2026 -> 2062), a typing slip."""
        moment = self._window.local(seconds)
        year = str(moment.year)
        typo = int(year[:2] + year[3] + year[2])
        try:
            return moment.replace(year=typo)
        except ValueError:  # 29 February in a year that has none
            return moment.replace(year=typo, day=28)

    def excel_serial(self, seconds: int) -> float:
        """Days since Excel's 1899-12-30 epoch, to the minute."""
        epoch_days = (self._window.first_day - date(1899, 12, 30)).days
        return round(epoch_days + (seconds // 60) / 1440, 6)
