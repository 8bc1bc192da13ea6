"""QIPP report imports: good CSV and XLSX files (create, update, unchanged), dry runs and their
previews applied later, every kind of broken file refused with the row, column and cell named
and nothing written, who may import, and reads that do not grow with the rows."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from commissioning.access import Role
from commissioning.models.imports import ImportStatus
from finance import services
from finance.models import QippImport, QippMonth, QippProgramme, QippScheme
from finance.qipp_io import COLUMNS, apply_import, format_error, import_qipp
from finance.qipp_io.cells import CellError, parse_money, parse_percent
from plans.errors import InvalidMove, NotAllowed
from tests.factories import ProviderFactory, user_with_role
from tests.finance.factories import YEAR, programme, scheme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rfr(db):
    return ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")


# --- Building files --------------------------------------------------------------------------


def row(ref="RB01", **cells):
    """A report row: 1,000 planned each month; actuals 900, 1,100, 800 in M1-M3, so the year
    to date (M1-M3) is plan 3,000, actual 2,800, variance -200, variance % -6.67 (by hand)."""
    values = {
        "Unique ref": ref,
        "Programme": "Outpatients",
        "Project name": f"Reduce first OP appointments {ref}",
        "Point of delivery": "Outpatients",
        "Provider": "RFR",
        "Lead": "Dr A Smith",
        "Activity change": "-719",
        "Activity unit": "first outpatient appointments",
        "Status": "On track",
        "Planned saving": "12000",
        "Gross plan": "3000",
        "Gross actual": "2800",
        "Gross variance": "-200",
        "Variance %": "-6.67",
    }
    for month in range(1, 13):
        values[f"M{month} plan"] = "1000"
        values[f"M{month} actual"] = {1: "900", 2: "1100", 3: "800"}.get(month, "")
        values[f"M{month} forecast"] = "950" if month == 4 else ""
    values.update(cells)
    return values


def three_rows():
    return [
        row("RB01"),
        row("RB02", Programme="Orthopaedics", Provider="", **{"Activity unit": "follow-up"}),
        row("RB03", Programme="Outpatients", Status="not-started"),
    ]


def csv_file(rows, columns=None) -> bytes:
    columns = list(columns or (rows[0].keys() if rows else COLUMNS))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def typed(value):
    """A cell as a person types it into Excel: a number when it is one, else text."""
    if value in ("", None):
        return None
    try:
        return float(value)
    except ValueError:
        return value


def xlsx_file(rows, columns=None) -> bytes:
    columns = list(columns or rows[0].keys())
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for values in rows:
        sheet.append([typed(values.get(column, "")) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORMATS = {"csv": csv_file, "xlsx": xlsx_file}


def run(data, user, ccg, *, dry_run=False, name="qipp.csv"):
    return import_qipp(data, ccg=ccg, year=YEAR, user=user, dry_run=dry_run, source_name=name)


def nothing_written():
    return not (
        QippScheme.objects.exists() or QippProgramme.objects.exists() or QippMonth.objects.exists()
    )


def errors_of(record):
    return [(e["row"], e["column"], e["cell"]) for e in record.errors]


# --- Good files -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_file_creates_then_updates_then_leaves_unchanged(ccg, planner, rfr, kind):
    make = FORMATS[kind]
    name = f"qipp.{kind}"

    record = run(make(three_rows()), planner, ccg, name=name)

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert (record.rows_read, record.created, record.updated, record.unchanged) == (3, 3, 0, 0)
    assert record.dry_run is False and record.requested_by == planner and record.file
    first = QippScheme.objects.get(ccg=ccg, year=YEAR, reference="RB01")
    assert first.project == "Reduce first OP appointments RB01"
    assert first.qipp_programme.name == "Outpatients" and first.provider == rfr
    assert (first.activity_change, first.activity_unit) == (D("-719"), "first-outpatient")
    assert (first.status, first.planned_saving, first.lead) == (
        "on-track",
        D("12000"),
        "Dr A Smith",
    )
    assert first.history.first().history_user == planner
    months = {m.month: (m.plan, m.actual, m.forecast) for m in first.months.all()}
    assert months[1] == (D("1000"), D("900"), None)
    assert months[4] == (D("1000"), None, D("950"))
    assert months[12] == (D("1000"), None, None)
    second = QippScheme.objects.get(reference="RB02")
    assert second.provider is None and second.activity_unit == "follow-up"
    assert QippScheme.objects.get(reference="RB03").status == "not-started"
    assert sorted(QippProgramme.objects.values_list("name", flat=True)) == [
        "Orthopaedics",
        "Outpatients",
    ]
    programmes = [e for e in record.preview if e["kind"] == "programme"]
    assert [(e["programme"], e["row"], e["action"]) for e in programmes] == [
        ("Outpatients", 2, "create"),
        ("Orthopaedics", 3, "create"),
    ]
    schemes = [e for e in record.preview if e["kind"] == "scheme"]
    assert [(e["row"], e["reference"], e["action"]) for e in schemes] == [
        (2, "RB01", "create"),
        (3, "RB02", "create"),
        (4, "RB03", "create"),
    ]
    assert "3 QIPP schemes created, 0 updated, 0 unchanged" in record.message
    assert "2 new QIPP programmes were created: Outpatients, Orthopaedics." in record.message

    # M2's actual corrected (the year to date follows) and the project renamed.
    rows = three_rows()
    rows[0].update({"M2 actual": "1200", "Gross actual": "2900", "Gross variance": "-100",
                    "Variance %": "-3.33", "Project name": "Fewer first appointments"})  # fmt: skip
    record = run(make(rows), planner, ccg, name=name)

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert (record.created, record.updated, record.unchanged) == (0, 1, 2)
    changed = [e for e in record.preview if e["action"] == "update"]
    assert changed == [{"kind": "scheme", "row": 2, "reference": "RB01",
                        "project": "Fewer first appointments", "programme": "Outpatients",
                        "action": "update", "changes": ["Project name", "M2 actual"]}]  # fmt: skip
    first.refresh_from_db()
    assert first.project == "Fewer first appointments"
    assert first.months.get(month=2).actual == D("1200")
    assert QippProgramme.objects.count() == 2

    record = run(make(rows), planner, ccg, name=name)

    assert (record.created, record.updated, record.unchanged) == (0, 0, 3)
    assert {e["action"] for e in record.preview} == {"unchanged"}


def test_a_dry_run_writes_nothing_but_its_record_and_keeps_the_file(ccg, planner, rfr):
    data = csv_file(three_rows())

    record = run(data, planner, ccg, dry_run=True)

    assert record.status == ImportStatus.SUCCEEDED and record.dry_run
    assert nothing_written()
    assert (record.created, record.updated, record.unchanged) == (3, 0, 0)
    assert record.message.startswith("Dry run, nothing was changed.")
    assert "3 QIPP schemes would be created" in record.message
    assert "2 new QIPP programmes would be created" in record.message
    assert len(record.preview) == 5
    with record.file.open("rb") as stored:
        assert stored.read() == data
    assert QippImport.objects.get() == record


def test_applying_a_preview_imports_it_for_real(ccg, planner, rfr):
    preview = run(csv_file(three_rows()), planner, ccg, dry_run=True)

    real = apply_import(preview, user=planner)

    assert real.pk != preview.pk and not real.dry_run
    assert real.status == ImportStatus.SUCCEEDED, real.errors
    assert (real.created, real.updated, real.unchanged) == (3, 0, 0)
    assert real.preview == preview.preview
    assert real.file.name == preview.file.name
    assert QippScheme.objects.count() == 3
    assert "differs from the preview" not in real.message

    with pytest.raises(InvalidMove, match="already applied"):
        apply_import(preview, user=planner)
    with pytest.raises(InvalidMove, match="was not a dry run"):
        apply_import(real, user=planner)


def test_applying_a_preview_after_the_schemes_changed_says_so(ccg, planner, rfr):
    preview = run(csv_file(three_rows()), planner, ccg, dry_run=True)
    scheme(ccg, "RB02", qipp_programme=programme(ccg, "Orthopaedics"))

    real = apply_import(preview, user=planner)

    assert real.status == ImportStatus.SUCCEEDED and (real.created, real.updated) == (2, 1)
    assert f"this differs from the preview (import {preview.pk})" in real.message


def test_a_failed_preview_cannot_be_applied_nor_by_someone_who_may_not_write(ccg, planner, rfr):
    failed = run(csv_file([row(**{"Planned saving": "-5"})]), planner, ccg, dry_run=True)
    with pytest.raises(InvalidMove, match="is failed"):
        apply_import(failed, user=planner)
    preview = run(csv_file(three_rows()), planner, ccg, dry_run=True)
    with pytest.raises(NotAllowed):
        apply_import(preview, user=user_with_role(Role.VIEWER, ccg))
    assert nothing_written()


def test_people_may_write_their_files_as_they_do(ccg, planner, rfr):
    aliased = {"Ref": "RB09", "Workstream": "outpatients", "Project": "Advice and guidance",
               "Saving": "£1,234.50", "Apr plan": "1,000", "Apr actual": "(500)",
               "May plan": "£1,000.00", "M02 actual": "-", "Status": "AT RISK",
               "Activity unit": "Follow-up", "Notes": "not read", "RAG": "Red"}  # fmt: skip
    existing = programme(ccg, "Outpatients")

    record = run(csv_file([aliased]), planner, ccg)

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    made = QippScheme.objects.get(reference="RB09")
    assert made.qipp_programme == existing  # found in any case, not created again
    assert (made.planned_saving, made.status, made.activity_unit) == (
        D("1234.50"),
        "at-risk",
        "follow-up",
    )
    months = {m.month: (m.plan, m.actual) for m in made.months.all()}
    assert months == {1: (D("1000"), D("-500")), 2: (D("1000"), D("0"))}
    assert "Columns not read: Notes, RAG." in record.message


def test_columns_left_out_leave_stored_fields_alone_and_blank_actual_is_not_reported(
    ccg, planner, rfr
):
    stored = scheme(ccg, "RB01", qipp_programme=programme(ccg, "Outpatients"), lead="Ms B",
                    actuals=("900", "1000"), point_of_delivery="OP")  # fmt: skip
    columns = ["Unique ref", "Programme", "Project name", "Planned saving", "M2 actual"]
    values = {"Unique ref": "RB01", "Programme": "Outpatients", "Project name": stored.project,
              "Planned saving": "106000", "M2 actual": ""}  # fmt: skip

    record = run(csv_file([values], columns), planner, ccg)

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert record.preview[0]["changes"] == ["M2 actual"]
    stored.refresh_from_db()
    assert (stored.lead, stored.point_of_delivery) == ("Ms B", "OP")
    assert stored.months.get(month=1).actual == D("900")
    assert stored.months.get(month=2).actual is None  # not reported


def test_a_system_import_and_a_staff_import_are_allowed(ccg, staff_user, rfr):
    assert run(csv_file([row()]), None, ccg).status == ImportStatus.SUCCEEDED
    record = run(csv_file([row("RB02")]), staff_user, ccg)
    assert record.status == ImportStatus.SUCCEEDED and record.requested_by == staff_user


# --- Who may import --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER, Role.SCRUTINY, Role.ASSURER])
def test_only_planning_managers_of_the_ccg_may_import(ccg, role, rfr):
    with pytest.raises(NotAllowed, match="Only planning managers"):
        run(csv_file([row()]), user_with_role(role, ccg), ccg)
    assert nothing_written() and not QippImport.objects.exists()


def test_a_planner_of_another_ccg_may_not_import(ccg, other_ccg, rfr):
    with pytest.raises(NotAllowed):
        run(csv_file([row()]), user_with_role(Role.PLANNING_MANAGER, other_ccg), ccg)
    assert not QippImport.objects.exists()


# --- Broken files ----------------------------------------------------------------------------

# Columns of `row()`: A Unique ref, B Programme, C Project name, D Point of delivery,
# E Provider, F Lead, G Activity change, H Activity unit, I Status, J Planned saving,
# K Gross plan, L Gross actual, M Gross variance, N Variance %, O M1 plan, P M1 actual,
# Q M1 forecast, R M2 plan, ..., AA M5 plan.
BROKEN_ROWS = [
    pytest.param({"Planned saving": "12k"}, "Planned saving", "J2",
                 "'12k' is shorthand; the import takes exact figures: write 12000", id="12k"),
    pytest.param({"Planned saving": "1,23"}, "Planned saving", "J2",
                 "commas may only group thousands", id="bad-commas"),
    pytest.param({"Planned saving": "-5"}, "Planned saving", "J2", "is negative", id="neg-saving"),
    pytest.param({"Planned saving": ""}, "Planned saving", "J2", "the planned saving is blank",
                 id="blank-saving"),
    pytest.param({"M5 plan": "(200)"}, "M5 plan", "AA2", "the M5 plan -200 is negative",
                 id="neg-month-plan"),
    pytest.param({"M1 actual": "nine hundred"}, "M1 actual", "P2",
                 "the M1 actual 'nine hundred' is not a number", id="words"),
    pytest.param({"M1 actual": "900.125"}, "M1 actual", "P2", "round it to the penny",
                 id="fractions-of-pence"),
    pytest.param({"M1 plan": "10%"}, "M1 plan", "O2", "is a percentage", id="percent-as-money"),
    pytest.param({"Gross plan": "3500"}, "Gross plan", "K2",
                 "the gross plan 3,500 does not agree with the monthly columns: the year to "
                 "date is M1 to M3 (the latest month with an actual in the report), and the "
                 "plans of those months add up to 3,000", id="gross-plan"),
    pytest.param({"Gross actual": "2,900"}, "Gross actual", "L2", "add up to 2,800",
                 id="gross-actual"),
    pytest.param({"Gross variance": "200"}, "Gross variance", "M2",
                 "actual minus plan is -200", id="gross-variance-sign"),
    pytest.param({"Variance %": "-7.5"}, "Variance %", "N2", "is -6.67% of the plan 3,000",
                 id="variance-percent"),
    pytest.param({"Provider": "RZZ"}, "Provider", "E2",
                 "'RZZ' is not the ODS code of a provider known here", id="unknown-provider"),
    pytest.param({"Unique ref": " "}, "Unique ref", "A2", "the unique ref is blank",
                 id="blank-ref"),
    pytest.param({"Unique ref": "R" * 31}, "Unique ref", "A2", "at most 30 fit", id="long-ref"),
    pytest.param({"Programme": ""}, "Programme", "B2", "the programme is blank",
                 id="blank-programme"),
    pytest.param({"Project name": ""}, "Project name", "C2", "the project name is blank",
                 id="blank-project"),
    pytest.param({"Status": "Nearly done"}, "Status", "I2",
                 "'Nearly done' is not a delivery status: write one of Not started, On track",
                 id="status"),
    pytest.param({"Activity unit": "bed days"}, "Activity unit", "H2",
                 "'bed days' is not a unit of activity", id="unit"),
    pytest.param({"Activity change": "-71.95"}, "Activity change", "G2",
                 "round it to 1 decimal place", id="activity-places"),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "column", "cell", "words"), BROKEN_ROWS)
def test_a_broken_cell_is_named_and_nothing_is_written(ccg, planner, rfr, cells, column, cell,
                                                       words):  # fmt: skip
    # The good row 3 would create a programme: it must not be created either.
    rows = [row("RB01", **cells), row("RB02", Programme="Brand new")]

    record = run(csv_file(rows), planner, ccg)

    assert record.status == ImportStatus.FAILED
    assert nothing_written()
    assert errors_of(record) == [(2, column, cell)], record.errors
    assert words in record.errors[0]["message"]
    assert record.message == (
        "No QIPP schemes were changed: 1 problem in 1 row of 2. Correct the file and import "
        "it again."
    )
    assert record.preview == [] and (record.created, record.updated) == (0, 0)


def test_a_broken_xlsx_cell_is_named_too(ccg, planner, rfr):
    record = run(xlsx_file([row(), row("RB02", **{"Gross plan": "3100"})]), planner, ccg,
                 name="qipp.xlsx")  # fmt: skip

    assert nothing_written()
    assert errors_of(record) == [(3, "Gross plan", "K3")]
    assert format_error(record.errors[0]).startswith("Row 3, Gross plan (K3): the gross plan")


def test_duplicate_refs_name_the_first_row(ccg, planner, rfr):
    record = run(csv_file([row("RB01"), row("RB02"), row("RB01")]), planner, ccg)

    assert nothing_written()
    assert errors_of(record) == [(4, "Unique ref", "A4")]
    assert "row 2 has the same unique ref 'RB01'" in record.errors[0]["message"]


def test_every_problem_of_every_row_is_reported(ccg, planner, rfr):
    rows = [row("RB01", Provider="RZZ", **{"M1 actual": "x"}), row("RB02"),
            row("RB03", Status="?")]  # fmt: skip

    record = run(csv_file(rows), planner, ccg)

    assert errors_of(record) == [(2, "Provider", "E2"), (2, "M1 actual", "P2"),
                                 (4, "Status", "I4")]  # fmt: skip
    assert record.message.startswith("No QIPP schemes were changed: 3 problems in 2 rows of 3.")


def test_a_missing_required_column_is_named(ccg, planner, rfr):
    values = row()
    del values["Planned saving"], values["Programme"]

    record = run(csv_file([values]), planner, ccg)

    assert nothing_written()
    assert errors_of(record) == [(1, "Programme", None), (1, "Planned saving", None)]
    assert record.message.startswith("The header (row 1) has no Programme or Planned saving column")


def header_twice() -> bytes:
    return b"Unique ref,Programme,Project name,Planned saving,unique REF\nRB01,O,P,1,RB01\n"


def too_many_rows() -> bytes:
    lines = ["Unique ref,Programme,Project name,Planned saving"]
    lines += [f"R{n},Outpatients,Project {n},100" for n in range(5001)]
    return "\n".join(lines).encode()


def too_big() -> bytes:
    return csv_file([row()]) + b"," * (5 * 1024 * 1024)


@pytest.mark.parametrize(
    ("content", "words", "where"),
    [
        pytest.param(lambda: b"", "The file is empty", (None, None, None), id="empty"),
        pytest.param(lambda: b"\r\n ,,\r\n", "The file is empty", (None, None, None),
                     id="blank-lines"),
        pytest.param(lambda: csv_file([]), "has a header (row 1) but no rows of schemes",
                     (1, None, None), id="header-only"),
        pytest.param(lambda: "Unique ref,Programme,Project name,Planned saving\nRB01,Out,"
                     "Caf\xe9,1\n".encode("cp1252"), "the byte 0xE9 at byte 61 (line 2)",
                     (2, None, None), id="not-utf8"),
        pytest.param(lambda: b"%PDF-1.4 a report", "The file is a PDF document",
                     (None, None, None), id="pdf"),
        pytest.param(lambda: b"\xd0\xcf\x11\xe0 old excel", "an Excel 97-2003 workbook (.xls)",
                     (None, None, None), id="xls"),
        pytest.param(lambda: b"PK\x03\x04 not a workbook", "cannot be read as an Excel workbook",
                     (None, None, None), id="bad-xlsx"),
        pytest.param(lambda: b"\x00\x01\x02binary", "it holds binary data", (None, None, None),
                     id="binary"),
        pytest.param(header_twice, "appears twice in the header (row 1)",
                     (1, "Unique ref", "E1"), id="column-twice"),
        pytest.param(too_many_rows, "more than 5,000 rows of schemes (row 5002 is past",
                     (5002, None, None), id="too-many-rows"),
        pytest.param(too_big, "larger than 5 MB", (None, None, None), id="too-big"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_in_words(ccg, planner, rfr, content, words, where):
    record = run(content(), planner, ccg)

    assert record.status == ImportStatus.FAILED and nothing_written()
    assert words in record.message
    assert errors_of(record) == [where]
    assert record.errors[0]["message"] == record.message


def test_a_refusal_from_the_services_fails_the_whole_file(ccg, planner, rfr, monkeypatch):
    """A rule only the services know (here: made up) still leaves nothing written, and names
    the row and cell."""
    real_create = services.create

    def create(model, **values):
        if values.get("reference") == "RB03":
            raise InvalidMove("That project name is reserved.", field="project")
        return real_create(model, **values)

    monkeypatch.setattr(services, "create", create)

    record = run(csv_file(three_rows()), planner, ccg)

    assert record.status == ImportStatus.FAILED
    assert nothing_written()
    assert errors_of(record) == [(4, "Project name", "C4")]
    assert record.message.startswith("No QIPP schemes were changed: row 4 could not be saved.")


# --- Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", D("1234.5")),
        ("£1,234.50", D("1234.50")),
        ("1,234", D("1234")),
        ("1,234,567.89", D("1234567.89")),
        ("(500)", D("-500")),
        ("(£1,500.25)", D("-1500.25")),
        ("-£500", D("-500")),
        ("£-500", D("-500")),
        ("\u2212500", D("-500")),
        ("-", D("0")),
        (" 12 ", D("12")),
        ("", None),
        (None, None),
        (8833.33, D("8833.33")),
        (105999.96000000001, D("105999.96")),  # a SUM in Excel
        (12, D("12")),
        (D("5.5"), D("5.50")),
    ],
)
def test_amounts_people_write(raw, expected):
    assert parse_money(raw, "amount") == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("12k", "write 12000"),
        ("1.5m", "write 1500000"),
        ("1,23", "commas may only group thousands"),
        ("1 234", "is not a number"),
        ("--5", "two minus signs"),
        ("(-5)", "two minus signs"),
        ("5%", "is a percentage"),
        ("1.005", "round it to the penny"),
        ("1e3", "is not a number"),
        (True, "is not a number"),
        (1e15, "is too large"),
    ],
)
def test_amounts_refused_in_words(raw, words):
    with pytest.raises(CellError) as caught:
        parse_money(raw, "amount")
    assert words in caught.value.message


def test_percentages_take_a_sign():
    assert parse_percent("-6.67%") == D("-6.67")
    assert parse_percent("(6.67)") == D("-6.67")


# --- Reads that do not grow with the rows --------------------------------------------------


def _selects(context) -> int:
    return sum(
        1 for q in context.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    )


def _report(count: int) -> bytes:
    """Schemes planned for M1-M3 only (fewer months to write while setting up)."""
    later = {f"M{m} plan": "" for m in range(4, 13)} | {"M4 forecast": ""}
    return csv_file(
        [row(f"R{n:03d}", Programme=f"Programme {n % 3}", **later) for n in range(count)]
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_reads_do_not_grow_with_the_rows(ccg, planner, rfr, dry_run):
    """A dry run of new schemes, and a real re-import of unchanged ones, read the same number
    of times for 10 rows as for 100. (Writing new or changed schemes goes through
    finance.services, which checks each record it saves.)"""
    counts = []
    for count in (10, 100):
        data = _report(count)
        if not dry_run:
            run(data, planner, ccg)  # stored first: the measured run changes nothing
        user = user_with_role(Role.PLANNING_MANAGER, ccg)  # whose roles are not cached yet
        with CaptureQueriesContext(connection) as context:
            record = run(data, user, ccg, dry_run=dry_run)
        assert record.status == ImportStatus.SUCCEEDED, record.errors
        assert record.unchanged == (0 if dry_run else count)
        counts.append(_selects(context))
        QippMonth.objects.all().delete()
        QippScheme.objects.all().delete()
        QippProgramme.objects.all().delete()
    assert counts[0] == counts[1], counts
