"""The risk matrix (NPSA 2008 5×5; seed 002 p72) as pure functions: no database, no request.

A risk's score is likelihood × consequence, each 1 to 5; its band is the band whose range
holds the score. Bands are data (`RiskBand` rows, per CCG or the default set); these
functions take them as a list of `Band`. The default set is seed 002's: Low 1-3, Moderate
4-6, High 8-12, Extreme 15-25. Its gaps are not gaps in practice: 7, 11, 13 and 14 (and
17-19, 21-24) are not the product of two numbers from 1 to 5, so no risk scores them (11
sits inside High anyway). Risks scoring `ESCALATION_SCORE` (15) or more go to the governing
body.

`heat_map(pairs, bands)` counts risks in each of the 25 cells, likelihood rows (5 at the
top, as the matrix is drawn) by consequence columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models.risks import CONSEQUENCE, ESCALATION_SCORE, LIKELIHOOD

LEVELS = (1, 2, 3, 4, 5)
POSSIBLE_SCORES = tuple(sorted({likelihood * consequence for likelihood in LEVELS
                                for consequence in LEVELS}))  # fmt: skip


class MatrixError(ValueError):
    """A likelihood or consequence outside 1-5, or bands that do not fit the matrix."""


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    min_score: int
    max_score: int
    colour: str = ""

    def contains(self, score: int) -> bool:
        return self.min_score <= score <= self.max_score

    @property
    def range_text(self) -> str:
        return f"{self.min_score}-{self.max_score}"


# Seed 002's bands, coloured as the NPSA matrix is (NHS palette: green, yellow, orange, red).
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("low", "Low", 1, 3, "#007f3b"),
    Band("moderate", "Moderate", 4, 6, "#ffeb3b"),
    Band("high", "High", 8, 12, "#ed8b00"),
    Band("extreme", "Extreme", 15, 25, "#d5281b"),
)


def check_level(value, name: str = "The likelihood") -> int:
    """`value` as a whole number from 1 to 5, or MatrixError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise MatrixError(f"{name} must be a whole number from 1 to 5")
    return value


def score(likelihood: int, consequence: int) -> int:
    return check_level(likelihood, "The likelihood") * check_level(consequence, "The consequence")


def band_for(value: int, bands: Sequence[Band] = DEFAULT_BANDS) -> Band | None:
    """The band holding the score (the first, if bands overlap), or None."""
    return next((band for band in bands if band.contains(value)), None)


def band_of(likelihood: int, consequence: int, bands: Sequence[Band] = DEFAULT_BANDS) -> Band:
    """The band of a cell of the matrix; MatrixError when no band holds its score."""
    value = score(likelihood, consequence)
    band = band_for(value, bands)
    if band is None:
        raise MatrixError(f"No risk band holds the score {value}")
    return band


def is_escalated(value: int) -> bool:
    """Whether a score goes to the governing body."""
    return value >= ESCALATION_SCORE


def check_bands(bands: Sequence[Band]) -> list[str]:
    """What is wrong with a set of bands: empty, reversed or overlapping ranges, and scores a
    risk can have that no band holds. An empty list means the bands fit the matrix."""
    if not bands:
        return ["There are no risk bands"]
    problems = []
    for band in bands:
        if band.min_score > band.max_score:
            problems.append(f"{band.label} runs from {band.min_score} down to {band.max_score}")
    ordered = sorted(bands, key=lambda band: band.min_score)
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if upper.min_score <= lower.max_score:
            problems.append(f"{lower.label} and {upper.label} overlap")
    uncovered = [value for value in POSSIBLE_SCORES if band_for(value, bands) is None]
    if uncovered:
        problems.append(f"No band holds {', '.join(str(value) for value in uncovered)}")
    return problems


# --- Heat map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    likelihood: int
    consequence: int
    score: int
    band: Band | None
    count: int


@dataclass(frozen=True)
class Row:
    likelihood: int
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class HeatMap:
    """Risks counted in each cell of the matrix."""

    counts: dict[tuple[int, int], int]
    bands: tuple[Band, ...]

    def count(self, likelihood: int, consequence: int) -> int:
        return self.counts.get((likelihood, consequence), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def columns(self) -> list[tuple[int, str]]:
        """(consequence, label) from 1 Negligible to 5 Catastrophic."""
        return [(level, CONSEQUENCE[level]) for level in LEVELS]

    def rows(self) -> list[Row]:
        """Likelihood 5 (almost certain) at the top down to 1 (rare), as the matrix is drawn."""
        return [
            Row(
                likelihood=likelihood,
                label=LIKELIHOOD[likelihood],
                cells=tuple(
                    Cell(
                        likelihood=likelihood,
                        consequence=consequence,
                        score=likelihood * consequence,
                        band=band_for(likelihood * consequence, self.bands),
                        count=self.count(likelihood, consequence),
                    )
                    for consequence in LEVELS
                ),
            )
            for likelihood in reversed(LEVELS)
        ]

    def band_totals(self) -> list[tuple[Band, int]]:
        """How many risks fall in each band, in the bands' order."""
        totals = Counter()
        for (likelihood, consequence), number in self.counts.items():
            band = band_for(likelihood * consequence, self.bands)
            if band is not None:
                totals[band.code] += number
        return [(band, totals[band.code]) for band in self.bands]


def heat_map(pairs: Iterable[tuple[int, int]], bands: Sequence[Band] = DEFAULT_BANDS) -> HeatMap:
    """Count (likelihood, consequence) pairs, each checked to be on the matrix."""
    counts = Counter(
        (check_level(likelihood, "The likelihood"), check_level(consequence, "The consequence"))
        for likelihood, consequence in pairs
    )
    return HeatMap(counts=dict(counts), bands=tuple(bands))
