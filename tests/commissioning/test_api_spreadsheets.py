"""Every API list as CSV and XLSX (commissioning/api_spreadsheets.py): whole, filtered and
scoped like the JSON list, with human headings, guarded cells and JSON refusals."""

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.api_registry import router
from commissioning.api_spreadsheets import XLSX_MEDIA_TYPE, heading
from commissioning.models import PartnerOrganisation
from tests.access.world import build_world, client_for
from tests.factories import PartnerFactory, UserFactory

API = "/api/v1"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}
# National reference data: every role reads all of it, whichever CCG it is of.
NATIONAL = {"providers", "standards", "planning-rules"}
LIST_PREFIXES = sorted(prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "list"))
# The column that carries each row's address (the permission matrix's `lookup_of`).
LOOKUP_HEADINGS = ("ODS code", "ID", "Code")


@pytest.fixture
def world(db):
    return build_world()


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read(response, fmt: str) -> list[list]:
    return read_csv(response) if fmt == "csv" else read_xlsx(response)


def download(client, prefix: str, fmt: str, **params):
    response = client.get(f"{API}/{prefix}/", {"format": fmt, **params})
    assert response.status_code == 200, (prefix, fmt, response.status_code, response.content[:300])
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert re.fullmatch(
        rf'attachment; filename="[A-Za-z0-9._-]+\.{fmt}"', response["Content-Disposition"]
    ), response["Content-Disposition"]
    return read(response, fmt)


def json_list(client, prefix: str, **params) -> dict:
    response = client.get(f"{API}/{prefix}/", {"page_size": 500, **params})
    assert response.status_code == 200
    return response.json()


def lookup_of(item: dict):
    for key in ("ods_code", "id", "code"):
        if key in item:
            return item[key]
    return None


def lookups_in(table: list[list]) -> set | None:
    header = table[0]
    for title in LOOKUP_HEADINGS:
        if title in header:
            position = header.index(title)
            return {str(row[position]) for row in table[1:]}
    return None  # a sheet of its own shape (the delivery tracker, the QIPP tracker)


def has_ccg_filter(prefix: str) -> bool:
    viewset = next(viewset for p, viewset, _ in router.registry if p == prefix)
    filterset = getattr(viewset, "filterset_class", None)
    return filterset is not None and "ccg" in filterset.base_filters


# --- Every list --------------------------------------------------------------------------------


def test_every_list_is_covered():
    assert len(LIST_PREFIXES) > 40
    assert {"ccgs", "practices", "plans", "milestones", "qipp-imports", "standards",
            "measurement-imports", "risks", "qipp-schemes"} <= set(LIST_PREFIXES)  # fmt: skip


@pytest.mark.parametrize("prefix", LIST_PREFIXES)
def test_every_list_downloads_whole_filtered_and_scoped(world, prefix):
    """One world for both formats (building it is most of the time)."""
    for fmt in ("csv", "xlsx"):
        check_list_download(world, prefix, fmt)


def check_list_download(world, prefix: str, fmt: str):
    staff = client_for(world, "staff")
    everything = json_list(staff, prefix)
    table = download(staff, prefix, fmt)
    header, rows = table[0], table[1:]
    assert everything["count"] > 0, f"{prefix}: the world has no rows to export"
    assert len(rows) == everything["count"], (prefix, fmt)

    assert header and all(isinstance(title, str) and title for title in header), header
    for title in header:
        assert "_" not in title, (prefix, fmt, title)
        assert title[0] == title[0].upper(), (prefix, fmt, title)

    found = lookups_in(table)
    if found is not None:
        assert found == {str(lookup_of(item)) for item in everything["results"]}, (prefix, fmt)

    # The CCG filter narrows the file as it narrows the JSON.
    narrowed = json_list(staff, prefix, ccg="03L")
    assert len(download(staff, prefix, fmt, ccg="03L")) - 1 == narrowed["count"], (prefix, fmt)
    if has_ccg_filter(prefix) and prefix not in NATIONAL:
        assert narrowed["count"] < everything["count"], f"{prefix}: ?ccg= did not filter"

    # A CCG's own user never finds another CCG's rows in the file, whatever the filter.
    if prefix in NATIONAL:
        return
    planner = client_for(world, Role.PLANNING_MANAGER)
    own = json_list(planner, prefix)
    mine = download(planner, prefix, fmt)
    assert len(mine) - 1 == own["count"], (prefix, fmt)
    _, other = world.objects[prefix]
    found = lookups_in(mine)
    if found is not None:
        assert found == {str(lookup_of(item)) for item in own["results"]}, (prefix, fmt)
        assert str(other) not in found, (prefix, fmt)
    cells = " ".join(str(cell) for row in mine[1:] for cell in row)
    assert "04R" not in cells and world.b.name not in cells, f"{prefix} ({fmt}): CCG B's rows"
    assert len(download(planner, prefix, fmt, ccg="04R")) == 1, (prefix, fmt)  # headings only


# --- Pages, cells, numbers ---------------------------------------------------------------------


@pytest.fixture
def staff_client(db):
    client = APIClient()
    client.force_login(UserFactory(username="exporter", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_list_longer_than_a_page_comes_whole(staff_client, ccg, fmt):
    PartnerFactory.create_batch(57, ccg=ccg)
    page = staff_client.get(f"{API}/partners/").json()  # the default page
    assert page["count"] == 57 and len(page["results"]) == 50
    assert len(download(staff_client, "partners", fmt)) == 1 + 57
    # A page asked for is ignored: a spreadsheet is not read page by page.
    assert len(download(staff_client, "partners", fmt, page=2, page_size=10)) == 1 + 57


def test_formula_injection_is_neutralised_in_both_formats(staff_client, ccg):
    evil = '=HYPERLINK("http://evil.example","Click")'
    PartnerFactory(ccg=ccg, name=evil, note="+SUM(1,2)", website="@cmd")
    PartnerFactory(ccg=ccg, name="-1+2", note="-250.00")
    csv_table = download(staff_client, "partners", "csv", ordering="name")
    sum_, row = (dict(zip(csv_table[0], line, strict=True)) for line in csv_table[1:])
    assert (row["Name"], row["Note"], row["Website"]) == (f"'{evil}", "'+SUM(1,2)", "'@cmd")
    assert (sum_["Name"], sum_["Note"]) == ("'-1+2", "-250.00")  # a plain number is no formula

    response = staff_client.get(f"{API}/partners/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    names = {row[header.index("Name")].value: row[header.index("Name")]
             for row in sheet.iter_rows(min_row=2)}  # fmt: skip
    assert set(names) == {evil, "-1+2"}  # shown as the text they are ...
    for cell in names.values():
        assert cell.data_type == "s" and cell.quotePrefix  # ... and never run as formulas
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_has_a_bold_frozen_header_sized_columns_and_numbers(world):
    staff = client_for(world, "staff")
    response = staff.get(f"{API}/contracts/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    assert all(8 <= width <= 60 for width in widths)
    provider_name = header.index("Provider name")
    assert widths[provider_name] >= len("Test NHS Foundation Trust 0")
    # Money is a decimal string in JSON: a number (with pence) in the workbook.
    item = json_list(staff, "contracts", ccg="03L")["results"][0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("ID")].value == item["id"])
    value = row[header.index("Contract value")]
    assert isinstance(value.value, int | float) and value.number_format == "#,##0.00"
    assert Decimal(str(value.value)) == Decimal(item["value"])
    # ... and in CSV it is the JSON's own text, a negative amount not taken for a formula.
    csv_table = download(staff, "contracts", "csv", ccg="03L")
    line = dict(zip(csv_table[0], csv_table[1], strict=True))
    assert line["Contract value"] == item["value"]
    assert line["Difference"] == (item["difference"] or "")


def test_headings_are_labels_with_a_capital_and_no_underscores():
    assert heading("", "first_year") == "First year"
    assert heading("ODS code", "ods_code") == "ODS code"
    assert heading("Planned saving (£)", "planned_saving") == "Planned saving (£)"
    assert heading("ccg", "ccg") == "CCG"
    assert heading("quorum_requires_gp") == "Quorum requires GP"
    assert heading("Rag", "rag") == "RAG"


# --- Negotiation, details and other actions ------------------------------------------------------


def test_accept_headers_choose_a_spreadsheet_and_json_stays_the_default(staff_client, ccg):
    PartnerFactory(ccg=ccg, name="Rotherham MBC")
    by_csv = staff_client.get(f"{API}/partners/", HTTP_ACCEPT="text/csv")
    assert by_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(by_csv)[1][2] == "Rotherham MBC"
    by_xlsx = staff_client.get(f"{API}/partners/", HTTP_ACCEPT=XLSX_MEDIA_TYPE)
    assert by_xlsx["Content-Type"] == XLSX_MEDIA_TYPE and len(read_xlsx(by_xlsx)) == 2
    plain = staff_client.get(f"{API}/partners/")
    assert plain["Content-Type"] == "application/json" and plain.json()["count"] == 1
    assert "Content-Disposition" not in plain


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_detail_is_a_file_of_one_row(staff_client, ccg, fmt):
    partner = PartnerFactory(ccg=ccg, name="Rotherham MBC")
    response = staff_client.get(f"{API}/partners/{partner.pk}/", {"format": fmt})
    assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="partner-{partner.pk}.{fmt}"'
    header, *rows = read(response, fmt)
    assert len(rows) == 1
    assert dict(zip(header, rows[0], strict=True))["Name"] == "Rotherham MBC"


def test_a_list_only_spreadsheet_refuses_a_detail(world):
    """Viewsets with their own spreadsheet shape (CSVListMixin) offer it for their list only."""
    staff = client_for(world, "staff")
    own, _ = world.objects["risks"]
    response = staff.get(f"{API}/risks/{own}/", {"format": "xlsx"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not-found"


def test_other_actions_asked_for_a_spreadsheet_do_not_fail(world):
    staff = client_for(world, "staff")
    plan, _ = world.objects["plans"]
    for fmt in ("csv", "xlsx"):
        versions = staff.get(f"{API}/plans/{plan}/versions/", {"format": fmt})
        assert versions.status_code == 200 and versions["Content-Type"] == CONTENT_TYPES[fmt]
        assert read(versions, fmt)[0]  # headings, whatever the versions are
        code, _ = world.objects["standards"]
        spc = staff.get(f"{API}/standards/{code}/spc/", {"ccg": "03L", "format": fmt})
        assert spc.status_code < 500, spc.content[:300]


def test_a_write_asked_for_csv_answers_its_row(staff_client, ccg):
    partner = PartnerFactory(ccg=ccg, name="Rotherham MBC")
    response = staff_client.patch(
        f"{API}/partners/{partner.pk}/?format=csv", {"name": "Rotherham Council"}, format="json"
    )
    assert response.status_code == 200
    header, row = read_csv(response)
    assert dict(zip(header, row, strict=True))["Name"] == "Rotherham Council"
    assert PartnerOrganisation.objects.get(pk=partner.pk).name == "Rotherham Council"


# --- Refusals are JSON -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_refusals_are_json_in_the_error_shape(staff_client, ccg, fmt):
    def refused(response, status: int, code: str):
        assert response.status_code == status, response.content[:300]
        assert response["Content-Type"] == "application/json"
        assert "Content-Disposition" not in response
        body = response.json()
        assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
        return body

    bad_filter = staff_client.get(f"{API}/plans/", {"kind": "manifesto", "format": fmt})
    assert refused(bad_filter, 400, "invalid")["field"] == "kind"
    missing = staff_client.get(f"{API}/partners/999999/", {"format": fmt})
    refused(missing, 404, "not-found")
    by_accept = staff_client.get(f"{API}/partners/999999/", HTTP_ACCEPT=CONTENT_TYPES[fmt])
    refused(by_accept, 404, "not-found")
    refused(APIClient().get(f"{API}/partners/", {"format": fmt}), 401, "not-authenticated")


def test_control_characters_xlsx_cannot_hold_are_left_out(staff_client, ccg):
    PartnerFactory(ccg=ccg, name="Voluntary\x17 Action\x0b Rotherham")
    response = staff_client.get(f"{API}/partners/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("Name")].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["Voluntary Action Rotherham"]
