"""The risk matrix (NPSA 2008 5×5, seed 002's bands): every cell scored and banded, band
edges, the bands' own checks, escalation and heat map counts. Expected values worked by hand:
score = likelihood × consequence; Low 1-3, Moderate 4-6, High 8-12, Extreme 15-25."""

import pytest

from governance import risk_matrix
from governance.risk_matrix import DEFAULT_BANDS, Band, MatrixError

# (likelihood, consequence, score, band): every cell of the matrix, one row each.
CELLS = [
    (1, 1, 1, "low"),
    (1, 2, 2, "low"),
    (1, 3, 3, "low"),
    (1, 4, 4, "moderate"),
    (1, 5, 5, "moderate"),
    (2, 1, 2, "low"),
    (2, 2, 4, "moderate"),
    (2, 3, 6, "moderate"),
    (2, 4, 8, "high"),
    (2, 5, 10, "high"),
    (3, 1, 3, "low"),
    (3, 2, 6, "moderate"),
    (3, 3, 9, "high"),
    (3, 4, 12, "high"),
    (3, 5, 15, "extreme"),
    (4, 1, 4, "moderate"),
    (4, 2, 8, "high"),
    (4, 3, 12, "high"),
    (4, 4, 16, "extreme"),
    (4, 5, 20, "extreme"),
    (5, 1, 5, "moderate"),
    (5, 2, 10, "high"),
    (5, 3, 15, "extreme"),
    (5, 4, 20, "extreme"),
    (5, 5, 25, "extreme"),
]


def test_the_table_covers_every_cell_once():
    cells = sorted((likelihood, consequence) for likelihood, consequence, _, _ in CELLS)
    assert cells == [(likelihood, consequence) for likelihood in range(1, 6)
                     for consequence in range(1, 6)]  # fmt: skip


@pytest.mark.parametrize(("likelihood", "consequence", "score", "band"), CELLS,
                         ids=[f"L{row[0]}xC{row[1]}" for row in CELLS])  # fmt: skip
def test_every_cell_is_scored_and_banded(likelihood, consequence, score, band):
    assert risk_matrix.score(likelihood, consequence) == score
    assert risk_matrix.band_of(likelihood, consequence).code == band
    assert risk_matrix.band_for(score).code == band
    assert risk_matrix.is_escalated(score) == (score >= 15)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (3, "low"),
        (4, "moderate"),
        (6, "moderate"),
        (8, "high"),
        (12, "high"),
        (15, "extreme"),
        (25, "extreme"),
    ],  # fmt: skip
)
def test_band_edges(score, band):
    assert risk_matrix.band_for(score).code == band


@pytest.mark.parametrize("score", [0, 7, 13, 14, 26])
def test_scores_outside_the_bands_have_none(score):
    # 7, 13 and 14 are not the product of two numbers from 1 to 5: no risk scores them.
    assert risk_matrix.band_for(score) is None
    assert score not in risk_matrix.POSSIBLE_SCORES


def test_the_scores_a_risk_can_have():
    assert risk_matrix.POSSIBLE_SCORES == (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25)


def test_escalation_starts_at_15():
    assert [s for s in risk_matrix.POSSIBLE_SCORES if risk_matrix.is_escalated(s)] == [
        15, 16, 20, 25
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("likelihood", "consequence", "message"),
    [
        (0, 3, "The likelihood must be a whole number from 1 to 5"),
        (6, 3, "The likelihood must be a whole number from 1 to 5"),
        (3, 0, "The consequence must be a whole number from 1 to 5"),
        (3, "4", "The consequence must be a whole number from 1 to 5"),
        (2.5, 3, "The likelihood must be a whole number from 1 to 5"),
        (True, 3, "The likelihood must be a whole number from 1 to 5"),
    ],
)
def test_levels_off_the_matrix_are_refused(likelihood, consequence, message):
    with pytest.raises(MatrixError, match=message):
        risk_matrix.score(likelihood, consequence)


def test_the_default_bands_fit_the_matrix():
    assert risk_matrix.check_bands(DEFAULT_BANDS) == []
    assert [(b.code, b.label, b.range_text) for b in DEFAULT_BANDS] == [
        ("low", "Low", "1-3"),
        ("moderate", "Moderate", "4-6"),
        ("high", "High", "8-12"),
        ("extreme", "Extreme", "15-25"),
    ]


def test_bands_that_do_not_fit_the_matrix_are_reported():
    gappy = (Band("low", "Low", 1, 3), Band("high", "High", 8, 25))
    overlapping = (Band("low", "Low", 1, 6), Band("high", "High", 5, 25))
    reversed_ = (Band("all", "All", 25, 1),)
    assert risk_matrix.check_bands(gappy) == ["No band holds 4, 5, 6"]
    assert risk_matrix.check_bands(overlapping) == ["Low and High overlap"]
    assert risk_matrix.check_bands(reversed_)[0] == "All runs from 25 down to 1"
    assert risk_matrix.check_bands(()) == ["There are no risk bands"]


def test_a_ccgs_own_bands_band_differently():
    three = (Band("green", "Green", 1, 4), Band("amber", "Amber", 5, 12),
             Band("red", "Red", 15, 25))  # fmt: skip
    assert risk_matrix.band_of(2, 2, three).code == "green"
    assert risk_matrix.band_of(1, 5, three).code == "amber"
    with pytest.raises(MatrixError, match="No risk band holds the score 4"):
        risk_matrix.band_of(2, 2, (Band("red", "Red", 15, 25),))


def test_heat_map_counts_each_cell():
    pairs = [(4, 4), (4, 4), (5, 3), (1, 1), (2, 3)]
    matrix = risk_matrix.heat_map(pairs)
    assert matrix.total == 5
    assert matrix.count(4, 4) == 2 and matrix.count(5, 3) == 1 and matrix.count(3, 3) == 0
    rows = matrix.rows()
    assert [row.likelihood for row in rows] == [5, 4, 3, 2, 1]
    assert [row.label for row in rows] == ["Almost certain", "Likely", "Possible", "Unlikely",
                                           "Rare"]  # fmt: skip
    assert matrix.columns()[0] == (1, "Negligible") and matrix.columns()[4] == (5, "Catastrophic")
    likely = rows[1]
    assert [cell.count for cell in likely.cells] == [0, 0, 0, 2, 0]
    assert likely.cells[3].score == 16 and likely.cells[3].band.code == "extreme"
    grid = [[cell.count for cell in row.cells] for row in rows]
    assert grid == [
        [0, 0, 1, 0, 0],
        [0, 0, 0, 2, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [1, 0, 0, 0, 0],
    ]
    assert [(band.code, count) for band, count in matrix.band_totals()] == [
        ("low", 1), ("moderate", 1), ("high", 0), ("extreme", 3)
    ]  # fmt: skip


def test_an_empty_heat_map_has_25_empty_cells():
    matrix = risk_matrix.heat_map([])
    assert matrix.total == 0
    assert sum(len(row.cells) for row in matrix.rows()) == 25
    assert all(cell.count == 0 for row in matrix.rows() for cell in row.cells)


def test_heat_map_refuses_pairs_off_the_matrix():
    with pytest.raises(MatrixError):
        risk_matrix.heat_map([(6, 1)])
