"""Delivery rules: RAG, current status, roll-up, overdue, counts. One case a row."""

import datetime as dt

import pytest

from priorities.delivery import (
    Update,
    counts_by_status,
    current_status,
    is_overdue,
    rag,
    roll_up,
)

D = dt.date


@pytest.mark.parametrize(
    ("status", "code", "tag"),
    [
        ("not-started", "grey", "nhsuk-tag--grey"),
        ("on-track", "green", "nhsuk-tag--green"),
        ("at-risk", "amber", "nhsuk-tag--yellow"),
        ("off-track", "red", "nhsuk-tag--red"),
        ("complete", "blue", "nhsuk-tag--blue"),
    ],
)
def test_rag_colours(status, code, tag):
    assert (rag(status).code, rag(status).tag_class) == (code, tag)


@pytest.mark.parametrize(
    ("updates", "expected"),
    [
        ([], "not-started"),
        ([Update("on-track", D(2013, 6, 30))], "on-track"),
        # The latest by date wins, whatever order they were recorded in.
        ([Update("at-risk", D(2013, 9, 30), 2), Update("on-track", D(2013, 6, 30), 1)], "at-risk"),
        ([Update("complete", D(2013, 12, 31), 1), Update("at-risk", D(2013, 9, 30), 2)],
         "complete"),
        # Two on the same day: the one recorded later wins.
        ([Update("on-track", D(2013, 9, 30), 1), Update("off-track", D(2013, 9, 30), 2)],
         "off-track"),
    ],
)  # fmt: skip
def test_current_status_is_the_latest_update(updates, expected):
    assert current_status(updates) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "not-started"),
        (["not-started", "not-started"], "not-started"),
        (["complete", "complete"], "complete"),
        (["complete", "not-started"], "on-track"),
        (["on-track", "at-risk", "complete"], "at-risk"),
        (["on-track", "off-track", "at-risk"], "off-track"),
        (["on-track", "not-started"], "on-track"),
    ],
)
def test_roll_up(statuses, expected):
    assert roll_up(statuses) == expected


@pytest.mark.parametrize(
    ("due_on", "status", "today", "overdue"),
    [
        (D(2013, 9, 30), "on-track", D(2013, 10, 1), True),
        (D(2013, 9, 30), "on-track", D(2013, 9, 30), False),  # due today: not yet
        (D(2013, 9, 30), "complete", D(2014, 1, 1), False),
        (D(2013, 9, 30), "not-started", D(2014, 1, 1), True),
        (None, "off-track", D(2014, 1, 1), False),
    ],
)
def test_overdue(due_on, status, today, overdue):
    assert is_overdue(due_on, status, today) is overdue


def test_counts_include_every_status_in_order():
    assert counts_by_status(["on-track", "on-track", "complete"]) == {
        "not-started": 0,
        "on-track": 2,
        "at-risk": 0,
        "off-track": 0,
        "complete": 1,
    }
