"""QIPP report exports: the columns and figures (worked by hand), CSV with a byte order mark
and XLSX with numbers as numbers, formula injection neutralised in both, no queries of their
own, and a round trip: the exported file re-imports with every scheme unchanged."""

import csv
import io
import zipfile
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from commissioning.models.imports import ImportStatus
from finance import services
from finance.models import QippMonth, QippProgramme, QippScheme
from finance.qipp_io import COLUMNS, export_rows, import_qipp, qipp_csv, qipp_xlsx
from tests.factories import ProviderFactory
from tests.finance.factories import YEAR, programme, scheme

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://example.com/steal","Click")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def schemes(ccg, other_ccg):
    """Three schemes of 03L 2012/13 (and one of 04R that is not exported):

    RB01: £106,000 planned as 8,833.33 a month; actuals 8,000, 9,500.50 and -250 for M1-M3,
    a forecast of 9,000 for M5. Year to date (M1-M3): plan 26,499.99, actual 17,250.50,
    variance -9,249.49, variance % -9,249.49 / 26,499.99 x 100 = -34.90.
    RB02: text that would run as formulas; nothing planned, nothing reported.
    RB03: no months at all.
    """
    rfr = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    outpatients = programme(ccg, "Outpatients", order=1)
    orthopaedics = programme(ccg, "Orthopaedics")
    first = scheme(ccg, "RB01", qipp_programme=outpatients, actuals=("8000", "9500.50", "-250"),
                   provider=rfr, lead="Dr A Smith", point_of_delivery="Outpatients",
                   activity_change=D("-719"), activity_unit="first-outpatient",
                   status="on-track", project="Reduce first OP appointments")  # fmt: skip
    services.record_month(first, 5, user=None, forecast=D("9000"))
    scheme(ccg, "RB02", qipp_programme=orthopaedics, project=INJECTION, lead="+44 1709 302000",
           point_of_delivery="-elective", planned_saving="0", months=["0"] * 12,
           status="at-risk", activity_unit="other")  # fmt: skip
    services.create(QippScheme, user=None, ccg=ccg, year=YEAR, reference="RB03",
                    qipp_programme=orthopaedics, project="@Medicines review",
                    planned_saving=D("50000"))  # fmt: skip
    scheme(other_ccg, "RB01")
    return (
        QippScheme.objects.filter(ccg=ccg, year=YEAR)
        .order_by("reference")
        .select_related("qipp_programme", "provider")
        .prefetch_related("months")
    )


def by_column(headings, values) -> dict:
    return dict(zip(headings, values, strict=True))


def test_the_rows_follow_the_report_layout_with_figures_worked_out(schemes):
    headings, rows = export_rows(schemes)

    assert headings == list(COLUMNS)
    assert headings[:14] == ["Unique ref", "Programme", "Project name", "Point of delivery",
                             "Provider", "Lead", "Activity change", "Activity unit", "Status",
                             "Planned saving", "Gross plan", "Gross actual", "Gross variance",
                             "Variance %"]  # fmt: skip
    assert headings[14:17] == ["M1 plan", "M1 actual", "M1 forecast"]
    assert headings[-1] == "M12 forecast" and len(headings) == 14 + 36
    first, second, third = (by_column(headings, row) for row in rows)
    assert [first[c] for c in headings[:10]] == [
        "RB01", "Outpatients", "Reduce first OP appointments", "Outpatients", "RFR",
        "Dr A Smith", D("-719"), "first outpatient appointments", "On track", D("106000"),
    ]  # fmt: skip
    assert (first["Gross plan"], first["Gross actual"]) == (D("26499.99"), D("17250.50"))
    assert (first["Gross variance"], first["Variance %"]) == (D("-9249.49"), D("-34.90"))
    assert (first["M3 plan"], first["M3 actual"], first["M3 forecast"]) == (
        D("8833.33"),
        D("-250"),
        None,
    )
    assert (first["M5 actual"], first["M5 forecast"]) == (None, D("9000"))
    assert (second["Status"], second["Activity unit"], second["Provider"]) == (
        "At risk",
        "other",
        "",
    )
    assert second["Gross plan"] == D("0") and second["Variance %"] is None
    assert third["M1 plan"] == D("0") and third["M12 actual"] is None


def test_the_export_reads_nothing_itself(schemes):
    prefetched = list(schemes)
    with CaptureQueriesContext(connection) as context:
        qipp_csv(prefetched)
        qipp_xlsx(prefetched)
    assert context.captured_queries == []


def test_csv_is_utf8_with_a_byte_order_mark_and_formulas_are_guarded(schemes):
    data = qipp_csv(schemes)

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    first, second, third = (by_column(rows[0], row) for row in rows[1:])
    assert second["Project name"] == "'" + INJECTION
    assert second["Lead"] == "'+44 1709 302000"
    assert second["Point of delivery"] == "'-elective"
    assert third["Project name"] == "'@Medicines review"
    # Numbers are numbers, negative ones too: not guarded.
    assert first["M3 actual"] == "-250.00" and first["Gross variance"] == "-9249.49"
    assert first["Activity change"] == "-719.0" and first["M5 actual"] == ""


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text(schemes):
    data = qipp_xlsx(schemes)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(data)).active
    headings = [cell.value for cell in sheet[1]]
    assert headings == list(COLUMNS)
    rows = sheet.iter_rows(min_row=2, max_row=3)
    first, second = (by_column(headings, list(row)) for row in rows)
    project = second["Project name"]
    assert (project.value, project.data_type, project.quotePrefix) == (INJECTION, "s", True)
    assert (second["Lead"].value, second["Lead"].data_type) == ("+44 1709 302000", "s")
    saving = first["Planned saving"]
    assert (saving.value, saving.data_type, saving.number_format) == (106000, "n", "#,##0.00")
    assert first["M3 actual"].value == -250 and first["Variance %"].value == pytest.approx(-34.9)
    assert first["M5 actual"].value is None


def snapshot():
    """Everything an import could change, revisions and history included."""
    schemes = list(
        QippScheme.objects.order_by("pk").values_list(
            "pk", "ccg_id", "year", "qipp_programme_id", "reference", "project",
            "point_of_delivery", "provider_id", "lead", "activity_change", "activity_unit",
            "planned_saving", "status", "source", "revision",
        )
    )  # fmt: skip
    months = list(
        QippMonth.objects.order_by("pk").values_list(
            "pk", "scheme_id", "month", "plan", "actual", "forecast", "illustrative", "revision"
        )
    )
    programmes = list(QippProgramme.objects.order_by("pk").values_list("pk", "name", "revision"))
    history = (QippScheme.history.count(), QippMonth.history.count())
    return schemes, months, programmes, history


@pytest.mark.parametrize(("export", "name"), [(qipp_csv, "qipp.csv"), (qipp_xlsx, "qipp.xlsx")])
def test_the_exported_file_re_imports_unchanged(ccg, planner, schemes, export, name):
    data = export(schemes)
    before = snapshot()

    record = import_qipp(data, ccg=ccg, year=YEAR, user=planner, dry_run=False,
                         source_name=name)  # fmt: skip

    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert (record.rows_read, record.created, record.updated, record.unchanged) == (3, 0, 0, 3)
    assert [(e["reference"], e["action"], e["changes"]) for e in record.preview] == [
        ("RB01", "unchanged", []),
        ("RB02", "unchanged", []),
        ("RB03", "unchanged", []),
    ]
    assert "Columns not read" not in record.message
    assert snapshot() == before


def test_an_edited_export_updates_only_what_was_edited(ccg, planner, schemes):
    headings, rows = export_rows(schemes)
    third = rows[2]
    third[headings.index("Lead")] = "Ms C Jones"
    third[headings.index("M1 plan")] = D("4166.67")
    for derived in ("Gross plan", "Gross actual", "Gross variance", "Variance %"):
        third[headings.index(derived)] = None  # left blank, the derived cells are not checked
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headings, *rows])

    record = import_qipp(buffer.getvalue().encode(), ccg=ccg, year=YEAR, user=planner,
                         dry_run=False)  # fmt: skip

    assert (record.created, record.updated, record.unchanged) == (0, 1, 2), record.errors
    assert record.preview[2]["changes"] == ["Lead", "M1 plan"]
    changed = QippScheme.objects.get(ccg=ccg, reference="RB03")
    assert changed.lead == "Ms C Jones" and changed.months.get(month=1).plan == D("4166.67")
    assert record.source_name == "qipp-report"


def test_the_report_month_is_the_latest_any_scheme_reported(ccg, planner):
    """Year to date runs to the report's month for every scheme, as the tracker counts it: a
    scheme that has not reported M3 counts it as nothing saved, and the file re-imports."""
    ortho = programme(ccg, "Report month")
    scheme(ccg, "LATE", qipp_programme=ortho, planned_saving="1200", months=["100"] * 12,
           actuals=["100"])  # fmt: skip
    scheme(ccg, "ON", qipp_programme=ortho, planned_saving="1200", months=["100"] * 12,
           actuals=["100"] * 3)  # fmt: skip
    chosen = QippScheme.objects.filter(ccg=ccg).select_related("qipp_programme", "provider") \
        .prefetch_related("months").order_by("reference")  # fmt: skip
    headings, rows = export_rows(chosen)
    late = dict(zip(headings, rows[0], strict=True))
    assert (late["Gross plan"], late["Gross actual"], late["Gross variance"]) == (
        D("300.00"), D("100.00"), D("-200.00"))  # fmt: skip
    record = import_qipp(qipp_csv(chosen), ccg=ccg, year=YEAR, user=planner, dry_run=True)
    assert record.status == "succeeded" and record.unchanged == 2, record.errors
