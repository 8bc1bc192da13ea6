"""Financial years: April to March, written `2015/16`; spans written `2015-19`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

_LABEL = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


@total_ordering
@dataclass(frozen=True, slots=True)
class FinancialYear:
    """The NHS financial year that starts on 1 April of `start_year`."""

    start_year: int

    def __post_init__(self) -> None:
        if not isinstance(self.start_year, int) or not 1948 <= self.start_year <= 2200:
            raise ValueError(f"{self.start_year!r} is not a plausible financial year start")

    @classmethod
    def parse(cls, value: str | int | FinancialYear) -> FinancialYear:
        """Read `2015/16`, `2015-16`, `2015/2016` or a start year (`2015`)."""
        if isinstance(value, FinancialYear):
            return value
        if isinstance(value, int):
            return cls(value)
        match = _LABEL.match(str(value))
        if not match:
            if str(value).strip().isdigit() and len(str(value).strip()) == 4:
                return cls(int(str(value).strip()))
            raise ValueError(f"'{value}' is not a financial year: write it like 2015/16")
        start = int(match.group(1))
        end_text = match.group(2)
        expected = start + 1 if len(end_text) == 4 else (start + 1) % 100
        if int(end_text) != expected:
            raise ValueError(
                f"'{value}' is not a financial year: the second year must follow the first"
            )
        return cls(start)

    @classmethod
    def containing(cls, day: dt.date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __add__(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year + years)

    def __sub__(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year - years)

    def __lt__(self, other: FinancialYear) -> bool:
        return self.start_year < other.start_year

    def __str__(self) -> str:
        return self.label


def span_label(first: FinancialYear, last: FinancialYear) -> str:
    """How plans write a span: 2015/16 to 2018/19 is `2015-19`; one year is its own label."""
    if first == last:
        return first.label
    return f"{first.start_year}-{(last.start_year + 1) % 100:02d}"
