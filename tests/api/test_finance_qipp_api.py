"""The QIPP API: programmes, schemes with their year-to-date figures and RAG (thresholds of
the CCG, the default row, or the built-in default), filters, monthly figures recorded by
POST or changed with If-Match, the tracker as CSV and XLSX in the QIPP report layout, and
imports of good and broken files (dry run, then apply)."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from commissioning.years import FinancialYear
from finance.models import QippImport, QippMonth, QippRagThreshold, QippScheme
from tests.api import test_finance_api as base
from tests.factories import ProviderFactory
from tests.finance import factories

pytestmark = pytest.mark.django_db

API, results = base.API, base.results
people, clients = base.people, base.clients  # the same actors as test_finance_api.py


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rfr(db):
    return ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")


@pytest.fixture
def ortho(ccg):
    return factories.programme(ccg, "Orthopaedics", order=1)


@pytest.fixture
def tracked(ccg, ortho, rfr):
    """£10,000 planned each month; actuals M1-M3 £9,000, £10,000, £8,000. By hand: year to
    date (M1-M3) plan 30,000.00, actual 27,000.00, variance -3,000.00, variance % -10.00;
    forecast outturn 27,000 + 9 x 10,000 = 117,000.00."""
    return factories.scheme(ccg, "RB01", qipp_programme=ortho, planned_saving="120000",
                            months=["10000"] * 12, actuals=["9000", "10000", "8000"],
                            provider=rfr, status="at-risk")  # fmt: skip


def scheme_url(scheme):
    return f"{API}/qipp-schemes/{scheme.pk}/"


# --- Schemes: figures and RAG ---------------------------------------------------------------


def test_year_to_date_figures_worked_by_hand(clients, tracked):
    response = clients["gb"].get(scheme_url(tracked))
    assert response.status_code == 200 and response["ETag"] == '"1"'
    body = response.json()
    assert {name: body[name] for name in ("ytd_plan", "ytd_actual", "variance",
            "variance_percent", "forecast_outturn", "rag", "through", "through_label")} == {
        "ytd_plan": "30000.00", "ytd_actual": "27000.00", "variance": "-3000.00",
        "variance_percent": "-10.00", "forecast_outturn": "117000.00", "rag": "amber",
        "through": 3, "through_label": "M3 (June)",
    }  # fmt: skip
    assert (body["ccg"], body["year"], body["provider"]) == ("03L", "2012/13", "RFR")
    assert body["qipp_programme_name"] == "Orthopaedics" and len(body["months"]) == 12
    assert body["months"][2] | {} == {"id": body["months"][2]["id"], "month": 3,
                                      "plan": "10000.00", "actual": "8000.00",
                                      "forecast": None, "illustrative": False,
                                      "revision": 1}  # fmt: skip


def test_rag_thresholds_of_the_ccg_then_the_default_row(clients, ccg, tracked):
    # The built-in default (green from 0%, amber from -10%): -10.00% is amber.
    assert clients["pm"].get(scheme_url(tracked)).json()["rag"] == "amber"
    QippRagThreshold.objects.create(ccg=None, green_from=D("-10"), amber_from=D("-20"))
    assert clients["pm"].get(scheme_url(tracked)).json()["rag"] == "green"
    QippRagThreshold.objects.create(ccg=ccg, green_from=D("-5"), amber_from=D("-8"))
    assert clients["pm"].get(scheme_url(tracked)).json()["rag"] == "red"


def test_scheme_filters(clients, ccg, ortho, tracked, rfr):
    outpatients = factories.programme(ccg, "Outpatients", order=2)
    ahead = factories.scheme(ccg, "RB02", qipp_programme=outpatients, planned_saving="12000",
                             actuals=["1500"])  # fmt: skip
    unreported = factories.scheme(ccg, "RB03", qipp_programme=outpatients)
    later = factories.scheme(ccg, "RB04", qipp_programme=ortho, year=FinancialYear(2013))
    url = f"{API}/qipp-schemes/"

    def refs(**query):
        return [row["reference"] for row in results(clients["pm"].get(url, query))]

    assert refs(year="2012/13") == ["RB01", "RB02", "RB03"]
    assert refs(year="2013/14") == ["RB04"] and later.year == FinancialYear(2013)
    assert refs(programme=outpatients.pk) == ["RB02", "RB03"]
    assert refs(provider="RFR") == ["RB01"]
    assert refs(status="at-risk") == ["RB01"]
    assert refs(rag="amber") == ["RB01"]
    assert refs(rag="green") == [ahead.reference]
    assert refs(rag="none", year="2012/13") == [unreported.reference]
    assert refs(ccg="04R") == []
    assert refs(search="RB02") == ["RB02"]
    assert refs(ordering="-planned_saving", year="2012/13")[0] == "RB01"
    bad = clients["pm"].get(url, {"rag": "purple"})
    assert bad.status_code == 400 and bad.json()["field"] == "rag"


def test_scheme_reads_and_writes_by_role(clients, ccg, other_ccg, ortho, tracked):
    for name in ("pm", "gb", "viewer", "assurer", "staff"):
        assert clients[name].get(scheme_url(tracked)).status_code == 200
    for name in ("scrutiny", "outsider"):
        assert clients[name].get(scheme_url(tracked)).status_code == 404
        assert results(clients[name].get(f"{API}/qipp-schemes/")) == []
    assert clients["gb"].patch(scheme_url(tracked), {"lead": "X"}, format="json").status_code == (
        403)  # fmt: skip
    assert clients["outsider"].patch(scheme_url(tracked), {"lead": "X"},
                                     format="json").status_code == 404  # fmt: skip
    new = {"ccg": "03L", "year": "2012/13", "qipp_programme": ortho.pk, "reference": "RB09",
           "project": "Reduce follow-ups", "planned_saving": "50000",
           "activity_change": "-250", "activity_unit": "follow-up"}  # fmt: skip
    assert clients["gb"].post(f"{API}/qipp-schemes/", new, format="json").status_code == 403
    made = clients["pm"].post(f"{API}/qipp-schemes/", new, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["rag"] is None and made.json()["through"] == 0
    twice = clients["pm"].post(f"{API}/qipp-schemes/", new, format="json")
    assert twice.status_code == 400 and twice.json()["field"] == "reference"
    theirs = factories.programme(other_ccg, "Theirs")
    foreign = clients["pm"].post(f"{API}/qipp-schemes/",
                                 {**new, "reference": "RB10", "qipp_programme": theirs.pk},
                                 format="json")  # fmt: skip
    assert foreign.status_code == 400 and foreign.json()["field"] == "qipp_programme"
    stale = clients["pm"].patch(scheme_url(tracked), {"lead": "Dr B"}, format="json",
                                HTTP_IF_MATCH='"9"')  # fmt: skip
    assert stale.status_code == 412 and stale.json()["current"]["ytd_plan"] == "30000.00"
    tracked.refresh_from_db()
    assert tracked.lead == "" and tracked.revision == 1
    in_use = clients["pm"].delete(f"{API}/qipp-programmes/{ortho.pk}/")
    assert in_use.status_code == 409 and "still used" in in_use.json()["detail"]
    assert clients["pm"].delete(f"{API}/qipp-schemes/{made.json()['id']}/").status_code == 204


def test_qipp_programmes(clients, ccg, ortho, tracked):
    url = f"{API}/qipp-programmes/"
    rows = results(clients["viewer"].get(url, {"ccg": "03L"}))
    assert [(row["name"], row["scheme_count"]) for row in rows] == [("Orthopaedics", 1)]
    made = clients["pm"].post(url, {"ccg": "03L", "name": "Urgent care"}, format="json")
    assert made.status_code == 201
    twice = clients["pm"].post(url, {"ccg": "03L", "name": "Urgent care"}, format="json")
    assert twice.status_code == 400 and twice.json()["field"] == "name"
    pk = made.json()["id"]
    assert clients["gb"].patch(f"{url}{pk}/", {"lead": "X"}, format="json").status_code == 403
    assert clients["scrutiny"].get(f"{url}{pk}/").status_code == 404
    assert clients["pm"].patch(f"{url}{pk}/", {"lead": "Dr C"}, format="json").status_code == 200
    assert clients["pm"].delete(f"{url}{pk}/").status_code == 204
    assert "Orthopaedics" in clients["pm"].get(url, {"format": "csv"}).content.decode()


def test_scheme_list_queries_do_not_grow(clients, ccg, ortho):
    QippRagThreshold.objects.create(ccg=ccg, green_from=D("0"), amber_from=D("-5"))

    def count(**query):
        with CaptureQueriesContext(connection) as queries:
            assert clients["pm"].get(f"{API}/qipp-schemes/", query).status_code == 200
        return len(queries)

    for n in range(2):
        factories.scheme(ccg, f"A{n}", qipp_programme=ortho, actuals=["100"])
    few, few_rag = count(), count(rag="red")
    for n in range(2, 8):
        programme = factories.programme(ccg, f"Programme {n}")
        factories.scheme(ccg, f"A{n}", qipp_programme=programme, actuals=["100"])
    assert count() == few
    assert count(rag="red") == few_rag


# --- Monthly figures -------------------------------------------------------------------------


def test_post_records_a_month_then_changes_it(clients, ccg, ortho):
    made = factories.scheme(ccg, "RB05", qipp_programme=ortho, months=["1000"] * 6)
    url = f"{API}/qipp-monthly/"
    created = clients["pm"].post(url, {"scheme": made.pk, "month": 7, "plan": "1000"},
                                 format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["month_label"] == "M7 (October)" and created["ETag"] == '"1"'
    updated = clients["pm"].post(url, {"scheme": made.pk, "month": 1, "actual": "950"},
                                 format="json", HTTP_IF_MATCH='"1"')  # fmt: skip
    assert updated.status_code == 200, updated.content
    assert (updated.json()["plan"], updated.json()["actual"]) == ("1000.00", "950.00")
    stale = clients["pm"].post(url, {"scheme": made.pk, "month": 1, "actual": "1"},
                               format="json", HTTP_IF_MATCH='"1"')  # fmt: skip
    assert stale.status_code == 412
    assert QippMonth.objects.get(scheme=made, month=1).actual == D("950.00")
    month13 = clients["pm"].post(url, {"scheme": made.pk, "month": 13, "plan": "1"},
                                 format="json")  # fmt: skip
    assert month13.status_code == 400 and month13.json()["field"] == "month"
    assert clients["gb"].post(url, {"scheme": made.pk, "month": 8, "plan": "1"},
                              format="json").status_code == 403  # fmt: skip
    hidden = clients["scrutiny"].post(url, {"scheme": made.pk, "month": 8}, format="json")
    assert hidden.status_code == 400 and hidden.json()["field"] == "scheme"
    figures = clients["pm"].get(scheme_url(made)).json()
    assert (figures["through"], figures["ytd_actual"]) == (1, "950.00")


def test_patch_a_month_with_if_match(clients, ccg, ortho, tracked):
    month = tracked.months.get(month=3)
    url = f"{API}/qipp-monthly/{month.pk}/"
    assert clients["gb"].patch(url, {"actual": "1"}, format="json").status_code == 403
    assert clients["outsider"].get(url).status_code == 404
    changed = clients["pm"].patch(url, {"actual": "11000"}, format="json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    stale = clients["pm"].patch(url, {"actual": "1"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    moved = clients["pm"].patch(url, {"month": 4}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "month"
    put = clients["pm"].put(url, {"scheme": tracked.pk, "month": 3, "plan": "10000",
                                  "actual": "10500", "revision": 2}, format="json")  # fmt: skip
    assert put.status_code == 200 and put.json()["actual"] == "10500.00"
    body = clients["pm"].get(scheme_url(tracked)).json()
    assert (body["ytd_actual"], body["variance_percent"], body["rag"]) == ("29500.00", "-1.67",
                                                                            "amber")  # fmt: skip
    rows = results(clients["pm"].get(f"{API}/qipp-monthly/", {"scheme": tracked.pk,
                                                              "reported": "true"}))  # fmt: skip
    assert [row["month"] for row in rows] == [1, 2, 3]
    assert len(results(clients["pm"].get(f"{API}/qipp-monthly/", {"programme": 0}))) == 0
    sheet = clients["pm"].get(f"{API}/qipp-monthly/", {"format": "csv", "scheme": tracked.pk})
    assert sheet.status_code == 200 and sheet.content.decode("utf-8-sig").count("RB01") == 12
    assert clients["pm"].delete(url).status_code == 204


# --- The tracker as CSV and XLSX -------------------------------------------------------------


def test_tracker_downloads_in_the_report_layout(clients, ccg, tracked):
    from finance.qipp_io import COLUMNS

    factories.scheme(ccg, "RB07", year=FinancialYear(2013), planned_saving="1200",
                     qipp_programme=tracked.qipp_programme)  # fmt: skip
    response = clients["gb"].get(f"{API}/qipp-schemes/", {"format": "csv", "year": "2012/13"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="qipp-tracker.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["Unique ref"] == "RB01"
    assert (line["Gross plan"], line["Gross actual"]) == ("30000.00", "27000.00")
    workbook = clients["gb"].get(f"{API}/qipp-schemes/", {"format": "xlsx", "year": "2012/13"})
    assert workbook.status_code == 200 and "spreadsheetml" in workbook["Content-Type"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert tuple(values[0]) == COLUMNS and values[1][0] == "RB01" and len(values) == 2
    assert clients["scrutiny"].get(f"{API}/qipp-schemes/", {"format": "csv"}).content.decode(
        "utf-8-sig").count("\n") == 1  # headings only  # fmt: skip
    assert clients["gb"].get(scheme_url(tracked), {"format": "csv"}).status_code == 404


# --- Imports ---------------------------------------------------------------------------------


def report(*rows) -> SimpleUploadedFile:
    lines = ["Unique ref,Programme,Project name,Planned saving,M1 plan,M1 actual", *rows]
    return SimpleUploadedFile("qipp.csv", ("\r\n".join(lines) + "\r\n").encode(), "text/csv")


def test_import_a_good_file_by_dry_run_then_apply(clients, ccg):
    url = f"{API}/qipp-imports/"
    sent = {"file": report("RB20,Outpatients,Reduce follow-ups,24000,2000,1800"),
            "ccg": "03L", "year": "2012/13", "dry_run": "true"}  # fmt: skip
    preview = clients["pm"].post(url, sent, format="multipart")
    assert preview.status_code == 201, preview.content
    body = preview.json()
    assert (body["status"], body["dry_run"], body["ccg"], body["year"]) == (
        "succeeded", True, "03L", "2012/13")  # fmt: skip
    actions = {(p["kind"], p["action"]) for p in body["preview"]}
    assert actions == {("programme", "create"), ("scheme", "create")}
    assert not QippScheme.objects.filter(reference="RB20").exists()
    assert clients["gb"].post(f"{url}{body['id']}/apply/").status_code == 403
    assert clients["outsider"].post(f"{url}{body['id']}/apply/").status_code == 404
    applied = clients["pm"].post(f"{url}{body['id']}/apply/")
    assert applied.status_code == 201, applied.content
    assert applied.json()["dry_run"] is False and applied.json()["created"] == 1
    made = QippScheme.objects.get(ccg=ccg, reference="RB20")
    assert made.planned_saving == D("24000.00") and made.months.get(month=1).actual == D("1800")
    again = clients["pm"].post(f"{url}{body['id']}/apply/")
    assert again.status_code == 409 and "already applied" in again.json()["detail"]
    listed = results(clients["viewer"].get(url, {"ccg": "03L", "status": "succeeded"}))
    assert {row["id"] for row in listed} == {body["id"], applied.json()["id"]}
    assert clients["scrutiny"].get(f"{url}{body['id']}/").status_code == 404


def test_import_a_broken_file_names_the_cell_and_writes_nothing(clients, ccg):
    sent = {"file": report("RB21,Outpatients,Reduce follow-ups,12k,2000,"), "ccg": "03L",
            "year": "2012/13"}  # fmt: skip
    response = clients["pm"].post(f"{API}/qipp-imports/", sent, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == "failed" and body["dry_run"] is False
    problem = body["errors"][0]
    assert (problem["row"], problem["column"], problem["cell"]) == (2, "Planned saving", "D2")
    assert problem["message"]
    assert not QippScheme.objects.filter(reference="RB21").exists()
    assert QippImport.objects.get(pk=body["id"]).status == "failed"
    refused = clients["pm"].post(f"{API}/qipp-imports/{body['id']}/apply/")
    assert refused.status_code == 409


def test_import_requests_refused(clients, ccg):
    url = f"{API}/qipp-imports/"
    good = {"ccg": "03L", "year": "2012/13"}
    assert clients["gb"].post(url, {**good, "file": report()}, format="multipart"
                              ).status_code == 403  # fmt: skip
    no_file = clients["pm"].post(url, good, format="multipart")
    assert no_file.status_code == 400 and no_file.json()["field"] == "file"
    unseen = clients["pm"].post(url, {**good, "ccg": "04R", "file": report()},
                                format="multipart")  # fmt: skip
    assert unseen.status_code == 400 and unseen.json()["field"] == "ccg"
    wrong = clients["pm"].post(url, {**good, "year": "twenty", "file": report()},
                               format="multipart")  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["field"] == "year"
