"""The standards catalogue: loading is idempotent, follows changes to the file, and a wrong
file is refused with every problem listed and nothing loaded."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from commissioning.demo.loader import LoadContext, LoadReport, registered_steps
from governance.catalogue import (
    CATALOGUE_PATH,
    CatalogueError,
    load_catalogue,
    load_demo_catalogue,
    read_catalogue,
)
from governance.models import Standard, StandardThreshold


def catalogue_data() -> dict:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data, name="standards.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def minimal(**changes) -> dict:
    standard = {
        "code": "ae-4-hours",
        "name": "A&E within 4 hours",
        "group": "ae",
        "unit": "percent",
        "direction": "higher",
        "frequency": "monthly",
        "thresholds": [{"value": 95, "from": dt.date(2010, 4, 1)}],
    }
    standard.update(changes)
    return {"version": "test-1", "standards": [standard]}


def problems_of(tmp_path, data) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write(tmp_path, data))
    assert not Standard.objects.exists()
    return caught.value.problems


# --- The shipped file ------------------------------------------------------------------------


def test_the_shipped_catalogue_loads(db):
    report = load_catalogue()

    assert (report.standards.created, report.standards.updated) == (25, 0)
    assert Standard.objects.national().count() == 25
    assert StandardThreshold.objects.count() == report.thresholds.created == 25
    ae = Standard.objects.get(code="ae-4-hours")
    assert (ae.group, ae.unit, ae.direction, ae.frequency) == ("ae", "percent", "higher",
                                                                "monthly")  # fmt: skip
    assert ae.catalogue_version == "2026-11-23" and ae.ccg is None
    assert ae.threshold_on(dt.date(2013, 6, 1)).value == Decimal("95")
    # Retired from October 2015; the consultant upgrade has no operational standard.
    admitted = Standard.objects.get(code="rtt-admitted-18-weeks")
    assert admitted.threshold_on(dt.date(2015, 10, 1)) is None
    upgrade = Standard.objects.get(code="cancer-62-day-upgrade").threshold_on(dt.date(2014, 1, 1))
    assert upgrade.value is None and upgrade.note == "No operational standard"
    assert Standard.objects.get(code="dementia-diagnosis-rate").thresholds.get().value == (
        Decimal("66.7")
    )
    # The file's order is kept within each group.
    codes = list(Standard.objects.filter(group="cancer").values_list("code", flat=True))
    assert codes[:2] == ["cancer-2ww-urgent", "cancer-2ww-breast"]


def test_loading_again_changes_nothing(db):
    load_catalogue()
    before = list(Standard.objects.values().order_by("code"))
    thresholds = list(StandardThreshold.objects.values().order_by("id"))

    report = load_catalogue()

    assert (report.standards.created, report.standards.updated) == (0, 0)
    assert report.standards.unchanged == 25 and not report.changed
    assert (report.thresholds.created, report.thresholds.updated, report.thresholds.removed) == (
        0, 0, 0,
    )  # fmt: skip
    assert list(Standard.objects.values().order_by("code")) == before
    assert list(StandardThreshold.objects.values().order_by("id")) == thresholds


def test_a_new_version_updates_names_and_thresholds(db, tmp_path):
    load_catalogue()
    data = catalogue_data()
    data["version"] = "2027-01-01"
    ae = next(s for s in data["standards"] if s["code"] == "ae-4-hours")
    ae["name"] = "A&E: seen within 4 hours"
    ae["thresholds"] = [
        {"value": 95, "from": dt.date(2010, 4, 1), "to": dt.date(2017, 3, 31)},
        {"value": 90, "from": dt.date(2017, 4, 1), "note": "Recovery trajectory"},
    ]
    fft = next(s for s in data["standards"] if s["code"] == "fft-response-rate")
    fft["thresholds"] = [{"value": 20, "from": dt.date(2014, 4, 1)}]

    report = load_catalogue(write(tmp_path, data))

    assert report.outcomes["ae-4-hours"] == "updated"
    assert report.outcomes["fft-response-rate"] == "updated"
    assert (report.standards.updated, report.standards.unchanged) == (2, 23)
    # ae: one threshold ended, one added; fft: the 2013 one removed, the 2014 one added.
    assert (report.thresholds.created, report.thresholds.updated, report.thresholds.removed) == (
        2, 1, 1,
    )  # fmt: skip
    standard = Standard.objects.get(code="ae-4-hours")
    assert standard.name == "A&E: seen within 4 hours"
    assert standard.catalogue_version == "2027-01-01"
    assert standard.threshold_on(dt.date(2016, 6, 1)).value == 95
    assert standard.threshold_on(dt.date(2017, 6, 1)).value == 90
    assert Standard.objects.get(code="fft-response-rate").thresholds.get().value == 20
    assert load_catalogue(write(tmp_path, data)).changed is False


def test_standards_dropped_from_the_file_are_kept_and_named(db, tmp_path):
    load_catalogue()
    report = load_catalogue(write(tmp_path, minimal()))
    assert report.standards.unchanged == 0 and report.standards.updated == 1
    assert Standard.objects.count() == 25
    assert "rtt-52-week-waits" in report.not_in_file
    assert any("not in the file" in line for line in report.lines())


def test_dry_run_reports_and_writes_nothing(db):
    report = load_catalogue(dry_run=True)
    assert report.standards.created == 25 and report.dry_run
    assert "dry run: nothing was changed" in report.lines()[0]
    assert not Standard.objects.exists()


def test_a_local_kpi_holding_a_catalogue_code_stops_the_load(db, ccg):
    Standard.objects.create(code="ae-4-hours", name="Ours", group="ae", unit="percent",
                            direction="higher", ccg=ccg)  # fmt: skip
    with pytest.raises(CatalogueError) as caught:
        load_catalogue()
    assert "already used by a local KPI of CCG 03L" in caught.value.message
    assert Standard.objects.count() == 1


def test_the_demo_step_loads_and_counts(db):
    assert load_demo_catalogue in registered_steps()
    ctx = LoadContext(facts={}, password="x", report=LoadReport())
    load_demo_catalogue(ctx)
    load_demo_catalogue(ctx)
    tally = ctx.report.tallies["Standard"]
    assert (tally.created, tally.updated, tally.unchanged) == (25, 0, 25)
    assert ctx.report.tallies["StandardThreshold"].created == 25


# --- A wrong file: every problem, nothing loaded ------------------------------------------------


def test_every_problem_of_a_standard_is_listed(db, tmp_path):
    data = minimal(code="AE 4 hours", group="emergency", direction="up", colour="red")
    del data["standards"][0]["name"]

    problems = problems_of(tmp_path, data)

    assert problems == [
        "standard 1 (AE 4 hours): missing name",
        "standard 1 (AE 4 hours): unknown keys colour (is one misspelt?)",
        "standard 1 (AE 4 hours): the code 'AE 4 hours' must be lower-case letters, digits and "
        "single hyphens, e.g. ae-4-hours",
        "standard 1 (AE 4 hours): group 'emergency' is not one of rtt, diagnostics, ae, cancer, "
        "ambulance, mental-health, quality, other",
        "standard 1 (AE 4 hours): direction 'up' is not one of higher, lower, neither",
    ]


@pytest.mark.parametrize(
    ("thresholds", "problem"),
    [
        ([], "thresholds must be a list with at least one entry"),
        ([{"value": 95}], "threshold 1: missing from"),
        ([{"value": "ninety", "from": "2010-04-01"}], "the value 'ninety' is not a number"),
        ([{"value": 195, "from": "2010-04-01"}], "must be between 0 and 100, not 195"),
        ([{"value": 95.12345, "from": "2010-04-01"}], "has more than 3 decimal places"),
        ([{"value": 95, "from": "1 April 2010"}], "'from' '1 April 2010' is not a date"),
        (
            [{"value": 95, "from": "2012-04-01", "to": "2011-03-31"}],
            "'to' 2011-03-31 is before 'from' 2012-04-01",
        ),
        (
            [{"value": 95, "from": "2010-04-01"}, {"value": 90, "from": "2015-04-01"}],
            "the threshold from 2010-04-01 (with no end date) overlaps the one from 2015-04-01",
        ),
        (
            [{"value": 95, "from": "2010-04-01", "to": "2015-04-01"},
             {"value": 90, "from": "2015-04-01"}],
            "(to 2015-04-01) overlaps the one from 2015-04-01",
        ),
        ([{"value": 95, "from": "2010-04-01", "check": "yes"}], "check must be true or false"),
    ],
)  # fmt: skip
def test_threshold_problems(db, tmp_path, thresholds, problem):
    problems = problems_of(tmp_path, minimal(thresholds=thresholds))
    assert len(problems) == 1 and problem in problems[0], problems
    assert problems[0].startswith("standard 1 (ae-4-hours): ")


def test_a_code_used_twice_is_refused(db, tmp_path):
    data = minimal()
    data["standards"].append(dict(data["standards"][0], name="Again"))
    assert problems_of(tmp_path, data) == [
        "standard 2 (ae-4-hours): the code is used again; standard 1 has it already"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("standards: [\n  - code: x\n  - : :\n", "the file is not valid YAML at line"),
        ("- just\n- a list\n", "must be a mapping with 'version' and 'standards'"),
        ("version: '1'\nstandards: []\n", "'standards' must be a list with at least one"),
        ("standards:\n  - code: ae\n", "'version' is missing"),
    ],
)
def test_file_level_problems(db, tmp_path, text, problem):
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(write(tmp_path, text))
    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert caught.value.message.startswith("standards.yaml: the standards catalogue has")


def test_a_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="cannot be opened"):
        read_catalogue(tmp_path / "nowhere.yaml")


# --- The command -----------------------------------------------------------------------------


def test_command_loads_and_reports(db, capsys):
    call_command("load_standards")
    out = capsys.readouterr().out
    assert "Standards:  25 created, 0 updated, 0 unchanged" in out
    assert "Standards catalogue loaded." in out

    call_command("load_standards")
    assert "Standards:  0 created, 0 updated, 25 unchanged" in capsys.readouterr().out


def test_command_dry_run_and_errors(db, tmp_path, capsys):
    call_command("load_standards", "--dry-run")
    assert "25 would be created" in capsys.readouterr().out
    assert not Standard.objects.exists()

    bad = write(tmp_path, minimal(unit="pounds"))
    with pytest.raises(CommandError) as caught:
        call_command("load_standards", str(bad))
    assert "unit 'pounds' is not one of percent, count, rate" in str(caught.value)
    assert "nothing was loaded" in str(caught.value)
