"""Measurement imports: good CSV and XLSX files, bad files reported row by row with nothing
written, re-imports, dry runs, who may import for which CCG, the Celery task, the command,
and a national file whose queries do not grow with its rows."""

import csv
import datetime as dt
import io
import math
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.access import Role
from commissioning.models import CCG
from governance.catalogue import load_catalogue
from governance.measurement_import import (
    format_error,
    import_measurements,
    parse_period,
    queue_measurement_import,
    resolve_value,
)
from governance.measurement_import.cells import CellError
from governance.models import ImportStatus, Measurement, MeasurementImport, Standard
from governance.tasks import run_measurement_import
from plans.errors import NotAllowed
from tests.factories import ProviderFactory, UserFactory, user_with_role

DATA = Path(__file__).parent / "data"


@pytest.fixture
def world(ccg, other_ccg):
    load_catalogue()
    ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    return ccg, other_ccg


def run(name: str, **kwargs) -> MeasurementImport:
    path = DATA / name
    return import_measurements(path, source_name=path.name, **kwargs)


def stored(code, ods="03L", period=dt.date(2013, 4, 1), provider=None, period_type="month"):
    return Measurement.objects.get(
        standard__code=code,
        ccg__ods_code=ods,
        period_start=period,
        period_type=period_type,
        provider__ods_code=provider,
    )


def errors_of(record) -> list[tuple]:
    return [(e["row"], e["column"]) for e in record.errors]


# --- Cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-04", (dt.date(2016, 4, 1), None)),
        ("2016-4", (dt.date(2016, 4, 1), None)),
        ("2016-04-01", (dt.date(2016, 4, 1), None)),
        ("2016-04-01 00:00:00", (dt.date(2016, 4, 1), None)),
        (dt.date(2016, 4, 1), (dt.date(2016, 4, 1), None)),
        (dt.datetime(2016, 4, 1), (dt.date(2016, 4, 1), None)),
        ("Apr-16", (dt.date(2016, 4, 1), None)),
        ("April 2016", (dt.date(2016, 4, 1), None)),
        ("2016/17 Q1", (dt.date(2016, 4, 1), "quarter")),
        ("2016/17 q3", (dt.date(2016, 10, 1), "quarter")),
        ("2016/17 Q4", (dt.date(2017, 1, 1), "quarter")),
        ("1999/00 Q2", (dt.date(1999, 7, 1), "quarter")),
    ],
)
def test_periods_people_write(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "the period is blank"),
        ("2016-13", "has no month 13"),
        ("2016-04-15", "is not the first day of a month"),
        ("2016-02-30", "is not a real date"),
        ("2016/18 Q1", "is not a financial year"),
        ("Q1 2016", "is not a period"),
        (201604, "is not a period"),
    ],
)
def test_periods_refused_in_words(raw, words):
    with pytest.raises(CellError) as caught:
        parse_period(raw)
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("unit", "numbers", "value", "problem"),
    [
        # 9120 / 9800 = 93.0612...%: stored to three places
        ("percent", ("9120", "9800", None), Decimal("93.061"), None),
        # written to one place: 95.6 is 9350 / 9780 = 95.603% rounded
        ("percent", ("9350", "9780", "95.6"), Decimal("95.600"), None),
        # 94.6 is a whole point away from 95.603%
        ("percent", ("9350", "9780", "94.6"), None, ("value", "does not agree")),
        # written as a whole number: within half a point
        ("percent", ("9350", "9780", "96"), Decimal("96.000"), None),
        ("percent", ("12", "10", None), None, ("numerator", "more than the denominator")),
        ("percent", ("0", "0", None), None, ("denominator", "is 0")),
        ("percent", (None, None, None), None, ("value", "the value is blank")),
        ("percent", (None, None, "101"), None, ("value", "is not a percentage")),
        ("count", (None, None, "3"), Decimal("3.000"), None),
        ("count", ("3", None, None), None, ("value", "give it for a count")),
        ("count", (None, None, "-1"), None, ("value", "negative")),
        ("rate", ("-1", "10", "4"), None, ("numerator", "negative")),
    ],
)
def test_values_worked_out_and_checked(unit, numbers, value, problem):
    decimals = [None if n is None else Decimal(n) for n in numbers]
    result, problems = resolve_value(unit, *decimals)
    assert result == value
    if problem is None:
        assert problems == []
    else:
        column, words = problem
        assert problems[0][0] == column and words in problems[0][1], problems


# --- Good files ------------------------------------------------------------------------------


def test_good_csv_is_imported(world):
    record = run("good.csv")

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert (record.rows_read, record.created, record.updated, record.unchanged) == (8, 8, 0, 0)
    # The CPA quarter 2013/14 Q1 and the quarterly cancelled operations of July 2013 (Q2) are
    # the latest: the data runs to September 2013.
    assert record.latest_period == dt.date(2013, 9, 1)
    assert "8 measurements created" in record.message and "September 2013" in record.message
    assert Measurement.objects.count() == 8

    worked_out = stored("ae-4-hours")
    assert (worked_out.numerator, worked_out.denominator, worked_out.value) == (
        Decimal("9120"), Decimal("9800"), Decimal("93.061"),
    )  # fmt: skip
    assert worked_out.source == "A&E SitReps" and worked_out.imported_by == record
    assert stored("ae-4-hours", provider="RFR").value == Decimal("93.26")
    assert stored("rtt-52-week-waits", period=dt.date(2013, 6, 1)).value == 3
    # A blank period type is the standard's usual frequency (CPA follow-up is quarterly).
    cpa = stored("cpa-7-day-follow-up", period_type="quarter")
    assert cpa.value == Decimal("95") and cpa.period_label == "2013-04"
    fft = stored("fft-response-rate", ods="04R")
    assert (fft.numerator, fft.value) == (Decimal("1200"), Decimal("12"))
    assert stored("cancelled-operations-28-days", "04R", dt.date(2013, 7, 1), None, "quarter")


def test_good_xlsx_is_imported_by_column_name(world):
    record = run("good.xlsx")

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert (record.rows_read, record.created) == (4, 4)
    assert "Columns not read: Notes." in record.message
    assert stored("ae-4-hours").value == Decimal("93.061")  # an Excel date on the 1st
    # 95.6% in a percentage-formatted cell is 95.6, and agrees with 9350 / 9780.
    assert stored("ae-4-hours", period=dt.date(2013, 5, 1)).value == Decimal("95.6")
    assert stored("cpa-7-day-follow-up", period_type="quarter").value == 95


def test_importing_again_changes_nothing_then_updates_what_differs(world):
    first = run("good.csv")
    again = run("good.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert stored("ae-4-hours").imported_by == first

    changed = (DATA / "good.csv").read_text().replace("9120,9800,,", "9200,9800,,")
    record = import_measurements(io.BytesIO(changed.encode()), source_name="revised.csv")

    assert (record.created, record.updated, record.unchanged) == (0, 1, 7)
    measurement = stored("ae-4-hours")
    assert measurement.value == Decimal("93.878") and measurement.imported_by == record
    assert Measurement.objects.count() == 8


def test_an_import_replaces_illustrative_figures(world):
    ae = Standard.objects.get(code="ae-4-hours")
    Measurement.objects.create(
        standard=ae, ccg=world[0], period_start=dt.date(2013, 4, 1), value=90, illustrative=True
    )
    record = run("good.csv")
    assert (record.created, record.updated) == (7, 1)
    assert stored("ae-4-hours").illustrative is False


def test_dry_run_counts_and_writes_nothing(world):
    record = run("good.csv", dry_run=True)

    assert record.status == ImportStatus.SUCCEEDED and record.dry_run
    assert record.created == 8
    assert record.message.startswith("Dry run, nothing was changed.")
    assert "8 measurements would be created" in record.message
    assert not Measurement.objects.exists()


# --- Bad files: every problem by row and column, nothing written ---------------------------


def assert_nothing_written(record):
    assert record.status == ImportStatus.FAILED
    assert record.message.startswith("No measurements were changed")
    assert (record.created, record.updated, record.latest_period) == (0, 0, None)
    assert not Measurement.objects.exists()


def test_unknown_standard(world):
    record = run("unknown_standard.csv")

    assert_nothing_written(record)
    assert errors_of(record) == [(3, "standard")]
    error = record.errors[0]
    assert error["value"] == "ae-4-hour"
    assert "'ae-4-hour' is not the code of a standard known here" in error["message"]
    assert "did you mean ae-4-hours?" in error["message"]
    assert record.message.startswith("No measurements were changed: 1 problem in 1 row of 3.")


def test_unknown_ccg(world):
    record = run("unknown_ccg.csv")

    assert_nothing_written(record)
    assert errors_of(record) == [(3, "ccg")]
    assert "'99X' is not the ODS code of a CCG" in record.errors[0]["message"]


def test_bad_periods(world):
    record = run("bad_period.csv")

    assert_nothing_written(record)
    assert errors_of(record) == [(3, "period"), (4, "period"), (5, "period"), (6, "period")]
    messages = [e["message"] for e in record.errors]
    assert "has no month 13" in messages[0]
    assert "is not the first day of a month" in messages[1]
    assert "a quarter starts in April, July, October or January, not in May 2013" in messages[2]
    assert "is not a financial year" in messages[3]
    assert format_error(record.errors[0]) == (
        "Row 3, column period: '2013-13' has no month 13: write a month as 2016-04, or a "
        "quarter as 2016/17 Q1"
    )


def test_value_disagreeing_with_numerator_and_denominator(world):
    record = run("value_disagrees.csv")

    assert_nothing_written(record)
    assert errors_of(record) == [(3, "value")]
    assert record.errors[0]["message"] == (
        "the value 94.6 does not agree with the numerator and denominator: 9,350 / 9,780 is 95.60%"
    )


def test_duplicate_rows_in_the_file(world):
    record = run("duplicate_rows.csv")

    assert_nothing_written(record)
    # The provider's row is another series; 03l is 03L.
    assert errors_of(record) == [(4, "period")]
    assert (
        "row 2 has the same standard, CCG, provider and period (2013-04)"
        in (record.errors[0]["message"])
    )


def test_a_missing_column_is_named(world):
    record = run("missing_column.csv")

    assert record.status == ImportStatus.FAILED and not Measurement.objects.exists()
    assert errors_of(record) == [(1, "period")]
    assert "has no period column" in record.message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "The file is empty"),
        ("standard,ccg,period,value\nae-4-hours,03L,2013-04,9\xa0\n".encode("cp1252"),
         "not UTF-8"),
        (b"standard,ccg,period,value\n", "no rows of measurements"),
        (b"standard,ccg,period,period,value\n", "appears twice"),
        (b"PK\x03\x04 not really a workbook", "cannot be read as an Excel workbook"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_in_words(world, content, words):
    record = import_measurements(io.BytesIO(content), source_name="file.csv")
    assert record.status == ImportStatus.FAILED
    assert words in record.message


def test_future_periods_and_long_sources_are_refused(world):
    future = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    text = (
        "standard,ccg,period,value,source\n"
        f"ae-4-hours,03L,{future:%Y-%m},93,\n"
        f"ae-4-hours,03L,2013-04,93,{'x' * 201}\n"
    )
    record = import_measurements(io.BytesIO(text.encode()), source_name="x.csv")
    assert errors_of(record) == [(2, "period"), (3, "source")]
    assert "is in the future" in record.errors[0]["message"]


def test_a_local_kpi_is_imported_for_its_own_ccg_only(world):
    ccg, other = world
    Standard.objects.create(code="local-waits", name="Local waits", group="other",
                            unit="count", direction="lower", ccg=ccg)  # fmt: skip
    text = "standard,ccg,period,value\nlocal-waits,03L,2013-04,4\nlocal-waits,04R,2013-04,5\n"
    record = import_measurements(io.BytesIO(text.encode()), source_name="x.csv")
    assert errors_of(record) == [(3, "standard")]
    assert "another CCG's local KPI" in record.errors[0]["message"]


def test_stored_errors_are_capped_but_counted(world, monkeypatch):
    from governance.measurement_import import importing

    monkeypatch.setattr(importing, "MAX_STORED_ERRORS", 2)
    text = "standard,ccg,period,value\n" + "nope,03L,2013-04,1\n" * 5
    record = import_measurements(io.BytesIO(text.encode()), source_name="x.csv")
    assert len(record.errors) == 2
    assert "5 problems in 5 rows of 5" in record.message
    assert "The first 2 problems are listed; 3 more are not shown." in record.message


# --- Who may import for which CCG ---------------------------------------------------------------


def test_a_planning_manager_imports_their_own_ccg_only(world):
    ccg, _ = world
    planner = user_with_role(Role.PLANNING_MANAGER, ccg)

    record = run("good.csv", user=planner)

    assert_nothing_written(record)
    assert errors_of(record) == [(8, "ccg"), (9, "ccg")]
    assert record.errors[0]["message"] == (
        "you can import measurements only for 03L (where you are a planning manager); the "
        "row is for 04R"
    )


def test_an_import_for_one_ccg_refuses_rows_of_another(world):
    ccg, _ = world
    record = run("good.csv", ccg=ccg)
    assert errors_of(record) == [(8, "ccg"), (9, "ccg")]
    assert "this import is for 03L only; the row is for 04R" in record.errors[0]["message"]


def test_readers_and_other_ccgs_cannot_import(world):
    ccg, other = world
    viewer = user_with_role(Role.VIEWER, ccg)
    record = run("good.csv", user=viewer)
    assert record.status == ImportStatus.FAILED and "Only planning managers" in record.message

    with pytest.raises(NotAllowed):
        queue_measurement_import(ContentFile(b"x", name="x.csv"), user=viewer)
    planner = user_with_role(Role.PLANNING_MANAGER, ccg)
    with pytest.raises(NotAllowed):
        queue_measurement_import(ContentFile(b"x", name="x.csv"), user=planner, ccg=other)


def test_assurers_and_staff_import_for_every_ccg(world):
    assurer = user_with_role(Role.ASSURER)
    assert run("good.csv", user=assurer).status == ImportStatus.SUCCEEDED
    staff = UserFactory(is_staff=True)
    assert run("good.csv", user=staff).unchanged == 8


# --- The task and the command ----------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_queued_import_runs_after_commit_as_its_requester(
    world, media, django_capture_on_commit_callbacks
):
    ccg, _ = world
    planner = user_with_role(Role.PLANNING_MANAGER, ccg)
    upload = ContentFile((DATA / "good.csv").read_bytes(), name="good.csv")

    with django_capture_on_commit_callbacks(execute=True):
        record = queue_measurement_import(upload, user=planner)
        assert record.status == ImportStatus.QUEUED
        assert record.ccg == ccg  # the planning manager's one CCG: its people see the import

    record.refresh_from_db()
    # As the planning manager: the rows of 04R are refused.
    assert record.status == ImportStatus.FAILED and errors_of(record)[0] == (8, "ccg")
    assert (media / record.file.name).is_file()


def test_task_is_idempotent(world, media):
    record = MeasurementImport.objects.create(source_name="good.csv")
    record.file.save("good.csv", ContentFile((DATA / "good.csv").read_bytes()))

    assert run_measurement_import(record.pk) == ImportStatus.SUCCEEDED
    assert run_measurement_import(record.pk) == ImportStatus.SUCCEEDED  # not run again
    assert Measurement.objects.count() == 8
    assert MeasurementImport.objects.get(pk=record.pk).created == 8


def test_task_reruns_an_interrupted_import(world, media):
    record = MeasurementImport.objects.create(source_name="good.csv", status="running")
    record.file.save("good.csv", ContentFile((DATA / "good.csv").read_bytes()))
    assert run_measurement_import(record.pk) == ImportStatus.SUCCEEDED


def test_task_without_a_file_or_record(db):
    record = MeasurementImport.objects.create(source_name="x.csv")
    assert run_measurement_import(record.pk) == ImportStatus.FAILED
    record.refresh_from_db()
    assert "No file was stored" in record.message
    assert run_measurement_import(999_999) is None


def test_command_imports_and_reports(world, capsys):
    call_command("import_measurements", str(DATA / "good.csv"), "--dry-run")
    assert "8 measurements would be created" in capsys.readouterr().out
    assert not Measurement.objects.exists()

    call_command("import_measurements", str(DATA / "good.csv"))
    latest = MeasurementImport.objects.order_by("-pk").first()
    expected = f"Import {latest.pk}: Read 8 rows: 8 measurements created"
    assert expected in capsys.readouterr().out


def test_command_lists_every_problem(world, capsys):
    with pytest.raises(CommandError, match="failed. No measurements were changed"):
        call_command("import_measurements", str(DATA / "bad_period.csv"))
    assert "Row 3, column period: '2013-13' has no month 13" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("import_measurements", str(DATA / "good.csv"), "--ccg", "03l")
    assert "Row 8, column ccg: this import is for 03L only" in capsys.readouterr().err
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_measurements", str(DATA / "nothing-here.csv"))
    with pytest.raises(CommandError, match="no CCG with the ODS code 'ZZZ'"):
        call_command("import_measurements", str(DATA / "good.csv"), "--ccg", "ZZZ")


# --- A national file -----------------------------------------------------------------------------


def national_file(ccgs: list[str], codes: list[str], months: int, *, shift: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["standard", "ccg", "period", "period_type", "numerator", "denominator",
                     "value"])  # fmt: skip
    for code in codes:
        for n, ods in enumerate(ccgs):
            for m in range(months):
                period = f"{2013 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}"
                numerator = 900 + (n + m + shift) % 90
                writer.writerow([code, ods, period, "month", numerator, 1000, ""])
    return out.getvalue().encode()


@pytest.fixture
def england(db):
    """200 CCGs and the catalogue's 25 standards, each made a percentage for the file (the
    file has monthly figures of every standard)."""
    load_catalogue()
    Standard.objects.update(unit="percent")
    CCG.objects.bulk_create(
        CCG(ods_code=f"{n // 26:02d}{chr(65 + n % 26)}", name=f"NHS CCG {n}") for n in range(200)
    )
    return (
        list(CCG.objects.order_by("ods_code").values_list("ods_code", flat=True)),
        list(Standard.objects.order_by("code").values_list("code", flat=True)),
    )


def counted_import(content: bytes) -> tuple[MeasurementImport, int, int]:
    """The import, its reads (queries other than inserts and updates) and its writes."""
    with CaptureQueriesContext(connection) as queries:
        record = import_measurements(io.BytesIO(content), source_name="national.csv")
    sql = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    tables = ('INSERT INTO "GOVERNANCE_MEASUREMENT" ', 'UPDATE "GOVERNANCE_MEASUREMENT" ')
    writes = [s for s in sql if s.startswith(tables)]
    return record, len(sql) - len(writes), len(writes)


def test_a_national_file_imports_in_one_go_with_queries_that_do_not_grow(england):
    ccgs, codes = england
    assert len(ccgs) == 200 and len(codes) == 25

    small, small_reads, small_writes = counted_import(national_file(ccgs[:2], codes[:2], 3))
    assert small.status == ImportStatus.SUCCEEDED and small.created == 12

    # 200 CCGs x 25 standards x 24 months, April 2013 to March 2015.
    big, big_reads, big_writes = counted_import(national_file(ccgs, codes, 24))
    rows = 200 * 25 * 24
    assert big.status == ImportStatus.SUCCEEDED, big.errors[:3]
    assert (big.rows_read, big.created, big.unchanged) == (rows, rows - 12, 12)
    assert big.latest_period == dt.date(2015, 3, 1)
    assert Measurement.objects.count() == rows
    # The same reads whatever the size; writes in batches of many rows each.
    assert big_reads == small_reads
    assert small_writes == 1
    assert big_writes <= math.ceil(rows / 50)


def test_a_national_reimport_updates_in_batches(england):
    ccgs, codes = england
    counted_import(national_file(ccgs[:40], codes[:5], 12))

    # Every figure changes: the small file's by one, then the big file's by two.
    small, small_reads, small_writes = counted_import(
        national_file(ccgs[:2], codes[:2], 3, shift=1)
    )
    big, big_reads, big_writes = counted_import(national_file(ccgs[:40], codes[:5], 12, shift=2))

    assert small.updated == 12
    assert (big.updated, big.created) == (2400, 0)
    assert big_reads == small_reads
    assert big_writes <= math.ceil(2400 / 50)
