"""bench/queries.py at a tiny scale, so CI catches an N+1: a handful of pages and API lists run
the same number of SQL queries for 1 CCG with one of everything as for 3 CCGs with three of
everything (the first CCG's own records tripled). The whole benchmark (every route, 2 and 20
CCGs) is `python bench/queries.py`."""

import pytest

from bench import queries

ONE = {
    "ccgs": 1, "practices": 3, "providers_per_ccg": 1, "sections": 1, "statements": 4,
    "priorities": 1, "commitments": 1, "actions": 1, "milestones": 1, "comments": 1,
    "programmes": 1, "qipp_programmes": 1, "qipp_schemes": 1, "risks": 2, "members": 1,
    "meetings": 1, "agenda_items": 2, "checkpoints": 1,
}  # fmt: skip
THREE = {
    **{name: 3 * value for name, value in ONE.items()},
    "statements": 12, "risks": 6, "agenda_items": 6,
}  # fmt: skip
# Pages with lists of the CCG's records, a draft plan's delete form that counts what goes with
# a priority, and API lists (the default page and ?page_size=500).
PAGES = [
    "plan-detail", "plan-priorities", "plan-on-a-page", "plan-delivery", "plan-versions",
    "plan-packs", "plan-priority-delete", "ccg-programmes", "programme-detail", "ccg-qipp",
    "ccg-finance", "ccg-risks", "ccg-risk-framework", "ccg-committees", "committee-detail",
    "meeting-detail", "ccg-actions", "ccg-assurance", "ccg-dashboard",
]  # fmt: skip
LISTS = ["plans", "actions", "progress-updates", "qipp-schemes", "risks", "meeting-actions",
         "agenda-items", "measurement-imports"]  # fmt: skip


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data():
    measured = queries.measure_scales(
        {"S": ONE, "3xS": THREE}, months=2, only={*PAGES, *LISTS}, records={"S": 1, "3xS": 3},
        log=lambda *_: None,
    )  # fmt: skip
    rows = queries.compare(measured["counts"]["S"], measured["counts"]["3xS"])

    routes = {row["route"] for row in rows}
    assert {*PAGES, "plan-priority-delete (draft plan)"} <= routes
    assert {f"api {p}/{q}" for p in LISTS for q in ("", "?page_size=500")} <= routes
    assert len(rows) == 2 * (len(PAGES) + 1 + 2 * len(LISTS))  # both users
    # 3 CCGs of 3 priorities x 3 commitments x 3 actions, against 1 x 1 x 1 x 1
    assert (measured["data"]["S"]["actions"], measured["data"]["3xS"]["actions"]) == (1, 81)
    # Every page answered as expected (the published plan's delete form refuses, 409; a
    # draft's shows) and every API list had rows to show at both scales.
    assert {(r["route"], r["status_s"]) for r in rows if r["status_s"] != 200} == {
        ("plan-priority-delete", 409)
    }
    api = [r for r in rows if r["route"].startswith("api ")]
    assert all(r["rows_s"] and r["rows_10xs"] > r["rows_s"] for r in api if r["actor"] == "staff")
    differ = [
        f"{r['route']} as {r['actor']}: {r['queries_s']} -> {r['queries_10xs']} queries"
        for r in rows
        if not r["equal"]
    ]
    assert not differ, "Query counts grow with the data (an N+1?):\n" + "\n".join(differ)


def test_a_difference_is_reported_with_the_statement_repeated():
    small = {"page": {"planner": {"status": 200, "queries": 3, "rows": None, "sql": []}}}
    large = {"page": {"planner": {"status": 200, "queries": 5, "rows": None, "sql": []}}}
    same = {"page": {"planner": {"status": 200, "queries": 3, "rows": None, "sql": []}}}

    assert [r["equal"] for r in queries.compare(small, large)] == [False]
    assert [r["equal"] for r in queries.compare(small, same)] == [True]
    sql = ['SELECT * FROM "x" WHERE id = 1', 'SELECT * FROM "x" WHERE id = 22', "SELECT 1"]
    assert queries.repeated(sql) == [(2, 'SELECT * FROM "x" WHERE id = N')]
