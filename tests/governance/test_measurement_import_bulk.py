"""The measurement import's faster paths give what the ordinary ones give.

- Checking: `_FastPath.row` takes the usual row, else leaves it to `_check_row`; whenever it
  takes one it returns exactly the MeasurementRow `_check_row` returns (any database).
- Writing on PostgreSQL (`measurement_import.bulk`: COPY into temporary tables, one INSERT
  and one UPDATE from them): the same files imported through it and through the ORM path
  (bulk_create / bulk_update, what SQLite uses) leave the same measurements, counts and
  messages, creates, updates (figures, source, an illustrative figure replaced) and
  unchanged rows alike; all or nothing still holds. Skipped on SQLite, which has no COPY.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from commissioning.models import CCG
from governance.catalogue import load_catalogue
from governance.measurement_import import bulk, import_measurements
from governance.measurement_import import checking as checking_module
from governance.measurement_import.checking import Lookups, _check_row, _FastPath, check_sheet
from governance.measurement_import.reading import Sheet
from governance.models import ImportStatus, Measurement, MeasurementImport, Standard
from tests.factories import ProviderFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the COPY path is PostgreSQL's only (run with DATABASE_URL=postgres://...); "
    "SQLite imports through the ORM path, which the other import tests cover",
)

COLUMNS = ("standard", "ccg", "provider", "period", "period_type", "numerator",
           "denominator", "value", "source")  # fmt: skip


@pytest.fixture
def world(ccg, other_ccg):
    load_catalogue()
    ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    return ccg, other_ccg


# --- Checking: the fast path and _check_row agree ---------------------------------------------

ROWS = [
    ("ae-4-hours", "03L", "", "2013-04", "", "9120", "9800", "", "A&E SitReps"),
    (" AE-4-Hours ", " 03l ", " rfr ", " 2013-4 ", " Month ", " 9000 ", "9650", "93.26", " x "),
    ("ae-4-hours", "03L", None, "2013-04-01", None, "9120", "9800", "93.061", None),
    ("ae-4-hours", "03L", None, dt.date(2013, 5, 1), None, 9120, 9800.0, None, None),
    ("ae-4-hours", "03L", None, dt.datetime(2013, 5, 1), None, 9120, 9800, None, None),
    ("ae-4-hours", "03L", None, "Apr-13", "m", Decimal("9120"), Decimal("9800"), None, ""),
    ("ae-4-hours", "03L", None, "2013-04", None, "1,200", "10,000", "12%", ""),
    ("ae-4-hours", "03L", None, "2013-04", None, "0", "10", "", ""),
    ("ae-4-hours", "03L", None, "2013-04", None, "1e3", "1E4", "", ""),
    ("ae-4-hours", "03L", None, "2013-04", None, "0.0005", "1", "", ""),
    ("ae-4-hours", "03L", None, "2013-04", None, "", "", "95.2", ""),
    ("cpa-7-day-follow-up", "03L", "", "2013/14 Q1", "", "38", "40", "", "MHMDS"),
    ("cpa-7-day-follow-up", "03L", "", "2013-07", "quarter", "38", "40", "95", "MHMDS"),
    ("cpa-7-day-follow-up", "03L", "", "2013-07", "", "38", "40", "95", "MHMDS"),
    ("rtt-52-week-waits", "04R", "", "2013-06", "", "", "", "3", "RTT"),
    ("rtt-52-week-waits", "04R", "", "2013-06", "", "", "", 3, "RTT"),
    # Rows with problems: the fast path leaves every one to _check_row.
    ("ae-4-hour", "03L", "", "2013-04", "", "1", "2", "", ""),
    ("", "03L", "", "2013-04", "", "1", "2", "", ""),
    ("ae-4-hours", "99X", "", "2013-04", "", "1", "2", "", ""),
    ("ae-4-hours", "", "", "2013-04", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "XYZ", "2013-04", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-13", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04-02", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013/14 Q1", "month", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-05", "quarter", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "weekly", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2999-01", "", "1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "-1", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "3", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "1", "0", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "1", "2", "60", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "", "", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "", "", "101", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "n/a", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "NaN", "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "1", "2", "Infinity", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "1", "2", "1e20", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", True, "2", "", ""),
    ("ae-4-hours", "03L", "", "2013-04", "", "1", "2", "", "s" * 201),
    ("rtt-52-week-waits", "04R", "", "2013-06", "", "", "", "-3", ""),
    ("rtt-52-week-waits", "04R", "", "2013-06", "", "3", "4", "", ""),
    (42, "03L", "", "2013-04", "", "1", "2", "", ""),
]


def sheet_of(rows) -> Sheet:
    columns = {name: i for i, name in enumerate(COLUMNS)}
    numbered = list(enumerate(rows, start=2))
    return Sheet(header_row=1, columns=columns, header=COLUMNS, rows=numbered)


@pytest.mark.parametrize("cells", ROWS)
def test_the_fast_path_returns_what_check_row_returns_or_leaves_the_row(world, cells):
    sheet = sheet_of([cells])
    lookups = Lookups.load(sheet, user=None, ccg=None, today=dt.date(2016, 4, 1))
    fast = _FastPath(sheet.columns, lookups).row(2, cells)
    errors = []
    cell = {name: cells[i] for name, i in sheet.columns.items()}
    slow = _check_row(2, cell, lookups, errors)
    if errors:
        assert fast is None
    elif fast is not None:
        assert repr(fast) == repr(slow)  # the same values, Decimals to the same places


def test_the_fast_path_takes_the_usual_rows(world):
    usual = [cells for cells in ROWS[:16] if cells[5] != "1,200" and cells[3] != dt.datetime(
        2013, 5, 1)]  # fmt: skip
    sheet = sheet_of(usual)
    lookups = Lookups.load(sheet, user=None, ccg=None, today=dt.date(2016, 4, 1))
    fast = _FastPath(sheet.columns, lookups)
    assert all(fast.row(n, cells) is not None for n, cells in sheet.rows)


def test_a_sheet_checks_the_same_with_and_without_the_fast_path(world, monkeypatch):
    sheet = sheet_of(ROWS + ROWS[:3])  # the last three repeat rows: duplicates
    lookups = Lookups.load(sheet, user=None, ccg=None, today=dt.date(2016, 4, 1))
    fast = check_sheet(sheet, lookups)
    monkeypatch.setattr(_FastPath, "row", lambda self, number, cells: None)
    slow = check_sheet(sheet, lookups)
    assert repr(fast.rows) == repr(slow.rows)
    assert [e.as_dict() for e in fast.errors] == [e.as_dict() for e in slow.errors]
    assert any("has the same standard" in e.message for e in fast.errors)


def test_a_planning_managers_import_leaves_other_ccgs_rows_to_check_row(world, planner):
    sheet = sheet_of([ROWS[0], ROWS[14]])  # 03L (the planner's) and 04R
    lookups = Lookups.load(sheet, user=planner, ccg=None, today=dt.date(2016, 4, 1))
    result = check_sheet(sheet, lookups)
    assert [row.row for row in result.rows] == [2]
    assert [(e.row, e.column) for e in result.errors] == [(3, "ccg")]
    assert checking_module._FastPath(sheet.columns, lookups).row(3, ROWS[14]) is None


# --- Writing: COPY on PostgreSQL and the ORM path agree ---------------------------------------

HEADER = ",".join(COLUMNS)
FIRST = f"""{HEADER}
ae-4-hours,03L,,2013-04,,9120,9800,,A&E SitReps
ae-4-hours,03L,,2013-05,,9350,9780,95.6,"A&E	SitReps (tab)"
ae-4-hours,03L,RFR,2013-04,month,9000,9650,93.26,"C:\\data\\ae.csv"
ae-4-hours,04R,,2013-04,,0,10,,"line one
line two"
rtt-52-week-waits,03L,,2013-06,,,,3,RTT waiting times
cpa-7-day-follow-up,03L,,2013/14 Q1,,38,40,,MHMDS
fft-response-rate,04R,,Apr-13,,"1,200","10,000",12%,Friends and Family Test
cancelled-operations-28-days,04R,,2013-07,quarter,,,1,
"""
# Two figures change, one source changes, one row is new, the others are as they were.
SECOND = f"""{HEADER}
ae-4-hours,03L,,2013-04,,9120,9800,,A&E SitReps
ae-4-hours,03L,,2013-05,,9351,9780,,"A&E	SitReps (tab)"
ae-4-hours,03L,RFR,2013-04,month,9000,9650,93.26,"C:\\data\\ae-revised.csv"
ae-4-hours,04R,,2013-04,,0,10,,"line one
line two"
rtt-52-week-waits,03L,,2013-06,,,,4,RTT waiting times
rtt-52-week-waits,03L,,2013-07,,,,2,RTT waiting times
cpa-7-day-follow-up,03L,,2013/14 Q1,,38,40,,MHMDS
fft-response-rate,04R,,Apr-13,,"1,200","10,000",12%,Friends and Family Test
cancelled-operations-28-days,04R,,2013-07,quarter,,,1,
"""


def snapshot():
    """Every measurement as it reads, the import that wrote it by its file's name."""
    return list(
        Measurement.objects.order_by(
            "standard__code", "ccg__ods_code", "provider__ods_code", "period_type",
            "period_start",
        ).values_list(
            "standard__code", "ccg__ods_code", "provider__ods_code", "period_type",
            "period_start", "numerator", "denominator", "value", "source", "illustrative",
            "imported_by__source_name",
        )
    )  # fmt: skip


def imports_in_sequence(world) -> tuple[list, list, set]:
    """An illustrative figure, FIRST, then SECOND: the imports' counts and messages, the
    measurements after, and those whose updated_at the second import moved."""
    ae = Standard.objects.get(code="ae-4-hours")
    Measurement.objects.create(
        standard=ae, ccg=world[0], period_start=dt.date(2013, 4, 1), value=90, illustrative=True
    )
    outcomes = []
    stamps = {}
    for name, content in (("first.csv", FIRST), ("second.csv", SECOND)):
        record = import_measurements(io.BytesIO(content.encode()), source_name=name)
        assert record.status == ImportStatus.SUCCEEDED, record.errors
        outcomes.append((record.created, record.updated, record.unchanged, record.message,
                         record.latest_period))  # fmt: skip
        stamps[name] = dict(Measurement.objects.values_list("pk", "updated_at"))
    moved = {pk for pk, at in stamps["second.csv"].items() if stamps["first.csv"].get(pk) != at}
    keys = {
        pk: rest
        for pk, *rest in Measurement.objects.values_list(
            "pk", "standard__code", "ccg__ods_code", "provider__ods_code", "period_start"
        )
    }
    return outcomes, snapshot(), {tuple(keys[pk]) for pk in moved}


def clear():
    Measurement.objects.all().delete()
    MeasurementImport.objects.all().delete()


@pytest.fixture
def calls(monkeypatch):
    """The COPY writes made, by name."""
    made = []
    for name in ("insert_measurements", "update_measurements"):
        original = getattr(bulk, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            made.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(bulk, name, spy)
    return made


@postgresql_only
def test_copy_and_the_orm_write_the_same_measurements(world, monkeypatch, calls):
    assert bulk.available()
    with monkeypatch.context() as orm:
        orm.setattr(bulk, "available", lambda: False)
        orm_outcomes, orm_rows, orm_moved = imports_in_sequence(world)
    assert calls == []
    clear()

    copy_outcomes, copy_rows, copy_moved = imports_in_sequence(world)
    assert calls == ["insert_measurements", "update_measurements"] * 2

    assert copy_outcomes == orm_outcomes
    assert copy_rows == orm_rows
    assert copy_moved == orm_moved and len(copy_moved) == 4  # 3 updated, 1 created
    # The first import replaced the illustrative figure and created 7; the second updated
    # three (two figures, one source), created one and left five as they were.
    assert [outcome[:3] for outcome in copy_outcomes] == [(7, 1, 0), (1, 3, 5)]
    assert len(copy_rows) == 9
    by_key = {(r[0], r[1], r[2], r[4]): r for r in copy_rows}
    ae = by_key[("ae-4-hours", "03L", None, dt.date(2013, 4, 1))]
    assert ae[5:] == (Decimal("9120.000"), Decimal("9800.000"), Decimal("93.061"),
                      "A&E SitReps", False, "first.csv")  # fmt: skip
    assert by_key[("ae-4-hours", "03L", None, dt.date(2013, 5, 1))][7] == Decimal("95.613")
    assert by_key[("ae-4-hours", "03L", None, dt.date(2013, 5, 1))][8] == "A&E\tSitReps (tab)"
    assert by_key[("ae-4-hours", "03L", "RFR", dt.date(2013, 4, 1))][8:] == (
        "C:\\data\\ae-revised.csv", False, "second.csv")  # fmt: skip
    assert by_key[("ae-4-hours", "04R", None, dt.date(2013, 4, 1))][7:9] == (
        Decimal("0.000"), "line one\nline two")  # fmt: skip
    fft = by_key[("fft-response-rate", "04R", None, dt.date(2013, 4, 1))]
    assert fft[5:8] == (Decimal("1200.000"), Decimal("10000.000"), Decimal("12.000"))


@postgresql_only
def test_copy_keeps_the_import_all_or_nothing(world, monkeypatch):
    import_measurements(io.BytesIO(FIRST.encode()), source_name="first.csv")
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # SECOND creates one row (inserted first) and updates three: the update fails.
    monkeypatch.setattr(bulk, "update_measurements", broken)
    with pytest.raises(RuntimeError):
        import_measurements(io.BytesIO(SECOND.encode()), source_name="second.csv")
    assert snapshot() == before
    record = MeasurementImport.objects.get(source_name="second.csv")
    assert record.status == ImportStatus.FAILED and record.created == 0
    assert "no measurements were changed" in record.message


@postgresql_only
def test_a_dry_run_through_copy_writes_nothing(world, calls):
    record = import_measurements(io.BytesIO(FIRST.encode()), source_name="f.csv", dry_run=True)
    assert record.status == ImportStatus.SUCCEEDED and record.created == 8
    assert calls == [] and not Measurement.objects.exists()


@postgresql_only
def test_copy_writes_a_national_file_stamped_with_its_import(db, calls):
    load_catalogue()
    Standard.objects.update(unit="percent")
    CCG.objects.bulk_create(CCG(ods_code=f"{n:02d}X", name=f"NHS CCG {n}") for n in range(30))
    codes = list(Standard.objects.order_by("code").values_list("code", flat=True))[:10]
    lines = [HEADER]
    for code in codes:
        for n in range(30):
            for m in range(12):
                lines.append(f"{code},{n:02d}X,,2014-{m + 1:02d},month,{900 + m},1000,,")
    started = timezone.now()
    record = import_measurements(io.BytesIO("\n".join(lines).encode()), source_name="n.csv")
    assert calls == ["insert_measurements", "update_measurements"]  # nothing to update
    assert record.created == Measurement.objects.count() == 3600
    assert not Measurement.objects.exclude(imported_by=record).exists()
    assert not Measurement.objects.filter(updated_at__lt=started).exists()
    assert not Measurement.objects.filter(illustrative=True).exists()
    march = Measurement.objects.filter(period_start=dt.date(2014, 3, 1))
    assert set(march.values_list("value", flat=True)) == {Decimal("90.200")}
    # Created in the file's order.
    first = Measurement.objects.order_by("pk").values_list("standard__code", "ccg__ods_code",
                                                          "period_start")[:2]  # fmt: skip
    assert list(first) == [(codes[0], "00X", dt.date(2014, 1, 1)),
                           (codes[0], "00X", dt.date(2014, 2, 1))]  # fmt: skip


def test_the_stream_hands_copy_its_lines_in_chunks():
    stream = bulk._Stream(f"{n}\n" for n in range(1000))
    chunks = []
    while chunk := stream.read(100):
        assert len(chunk) <= 100
        chunks.append(chunk)
    assert "".join(chunks) == "".join(f"{n}\n" for n in range(1000))
    assert bulk._Stream(["a\n", "b\n"]).read() == "a\nb\n"
    assert bulk._text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert bulk._text(None) == "\\N" and bulk._number(None) == "\\N"
    assert bulk._number(Decimal("1E+3").quantize(Decimal("0.001"))) == "1000.000"
