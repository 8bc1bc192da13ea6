"""QIPP pages: the tracker (figures, RAG in words, filters and counts, roll-ups by programme
and against the efficiency target, the chart with its table, downloads; the same number of
queries for 5 schemes as for 50), a scheme with its months, chart and history, the monthly
entry form (one transaction, errors naming the month and figure, conflicts shown side by
side) and imports (a preview, then applying it); who may do what."""

import csv
import html
import io
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.access import Role
from finance import services
from finance.models import FinancialPlan, QippImport, QippMonth, QippScheme
from priorities.models import DeliveryStatus
from tests.factories import ProviderFactory, user_with_role
from tests.finance.factories import YEAR, programme, scheme

pytestmark = pytest.mark.django_db

THOUSAND = ["1000"] * 12


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def row_text(response, ident) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" id="{ident}"[^>]*>(.*?)</tr>',
                      response.content.decode(), re.S)  # fmt: skip
    assert match, f"no row {ident}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def scheme_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr class="nhsuk-table__row" id="scheme-(\d+)"',
                                         response.content.decode())]  # fmt: skip


@pytest.fixture
def tracked(ccg):
    """Redditch and Bromsgrove style schemes of 2012/13, reported to M3 (June):
    RB01 −10% (amber, the boundary), RB02 +8.33% (green), RB03 not reporting M3 (red)."""
    trust = ProviderFactory(ods_code="RWP", name="Worcestershire Acute Hospitals")
    ortho, urgent = programme(ccg, "Orthopaedics", 0), programme(ccg, "Urgent care", 1)
    services.create(FinancialPlan, user=None, ccg=ccg, year=YEAR, allocation=D("184300000"),
                    efficiency_target=D("50000"))  # fmt: skip
    rb01 = scheme(ccg, "RB01", qipp_programme=ortho, planned_saving="12000", months=THOUSAND,
                  actuals=("1000", "1000", "700"), provider=trust, lead="Dr Patel",
                  status=DeliveryStatus.AT_RISK, project="Reduce first OP appointments",
                  activity_change=D("-719"), activity_unit="first-outpatient")  # fmt: skip
    rb02 = scheme(ccg, "RB02", qipp_programme=ortho, planned_saving="24000",
                  months=["2000"] * 12, actuals=("2000", "2000", "2500"), lead="Ms Jones",
                  status=DeliveryStatus.ON_TRACK, project="Follow-up ratios")  # fmt: skip
    rb03 = scheme(ccg, "RB03", qipp_programme=urgent, planned_saving="12000", months=THOUSAND,
                  actuals=("500", "500"), provider=trust, lead="Dr Patel",
                  status=DeliveryStatus.OFF_TRACK, project="Non-elective flat")  # fmt: skip
    return {"RB01": rb01, "RB02": rb02, "RB03": rb03, "ortho": ortho, "urgent": urgent,
            "trust": trust}  # fmt: skip


def tracker(client, user, ccg, **query):
    client.force_login(user)
    return client.get(reverse("ccg-qipp", kwargs={"ods": ccg.ods_code}), query)


# --- The tracker ----------------------------------------------------------------------------


def test_the_tracker_shows_each_scheme_and_its_rag_in_words(client, planner, ccg, tracked):
    response = tracker(client, planner, ccg)
    assert response.status_code == 200
    assert scheme_ids(response) == [tracked[r].pk for r in ("RB01", "RB02", "RB03")]
    assert row_text(response, f"scheme-{tracked['RB01'].pk}") == (
        "RB01 Reduce first OP appointments Delivery status: At risk (amber) Orthopaedics "
        "Worcestershire Acute Hospitals; Dr Patel £12,000 £3,000 £2,700 −£300 −10% £11,700 "
        "RAG: Amber: behind plan"
    )
    assert "+£500 +8.33% £24,500 RAG: Green: on or ahead of plan" in row_text(
        response, f"scheme-{tracked['RB02'].pk}"
    )
    # RB03 has not reported M3: it counts as nothing saved, so 1,000 of 3,000; its outturn
    # is 1,000 so far and the plan of M4 to M12.
    assert "£3,000 £1,000 −£2,000 −66.67% £10,000 RAG: Red: well behind plan" in row_text(
        response, f"scheme-{tracked['RB03'].pk}"
    )
    text = text_of(response)
    assert "3 of 3 schemes." in text
    assert "Year to date is to the end of M3 (June), the latest month reported." in text
    assert "green at 0% or more, amber from −10%, red below that" in text


def test_the_tracker_rolls_up_by_programme_and_against_the_target(client, planner, ccg, tracked):
    response = tracker(client, planner, ccg)
    assert row_text(response, f"programme-{tracked['ortho'].pk}") == (
        "Orthopaedics 2 schemes £36,000 £9,000 £9,200 +£200 +2.22% £36,200 "
        "RAG: Green: on or ahead of plan"
    )
    assert row_text(response, f"programme-{tracked['urgent'].pk}").startswith(
        "Urgent care 1 scheme £12,000 £3,000 £1,000 −£2,000 −66.67%"
    )
    assert row_text(response, "schemes-total") == (
        "All schemes £48,000 £12,000 £10,200 −£1,800 −15% £46,200 RAG: Red: well behind plan"
    )
    text = text_of(response)
    assert "Efficiency target 2012/13 £50,000" in text
    assert "Planned savings of all 3 schemes £48,000" in text
    assert "fall £2,000 short of the target" in text
    assert "Forecast outturn £46,200: −£3,800 against the target (short of it)" in text


def test_the_tracker_counts_by_rag_and_status(client, planner, ccg, tracked):
    page = tracker(client, planner, ccg).content.decode()
    rag = " ".join(re.sub(r"<[^>]+>", " ", re.search(r'id="rag-counts".*?</table>', page,
                                                     re.S).group(0)).split())  # fmt: skip
    assert rag.endswith("Schemes by RAG Green 1 Amber 1 Red 1 No plan to date 0")
    status = " ".join(re.sub(r"<[^>]+>", " ", re.search(r'id="status-counts".*?</table>', page,
                                                        re.S).group(0)).split())  # fmt: skip
    assert status.endswith("Not started 0 On track 1 At risk 1 Off track 1 Complete 0")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rag": "amber"}, ["RB01"]),
        ({"rag": "red"}, ["RB03"]),
        ({"rag": "none"}, []),
        ({"lead": "Dr Patel"}, ["RB01", "RB03"]),
        ({"status": "on-track"}, ["RB02"]),
        ({"status": "on-track", "lead": "Dr Patel"}, []),
    ],
)
def test_the_tracker_filters(client, planner, ccg, tracked, query, expected):
    response = tracker(client, planner, ccg, **query)
    assert scheme_ids(response) == [tracked[r].pk for r in expected]


def test_the_tracker_filters_by_programme_and_provider(client, planner, ccg, tracked):
    by_programme = tracker(client, planner, ccg, programme=tracked["urgent"].pk)
    by_provider = tracker(client, planner, ccg, provider=tracked["trust"].pk)
    assert scheme_ids(by_programme) == [tracked["RB03"].pk]
    assert scheme_ids(by_provider) == [tracked["RB01"].pk, tracked["RB03"].pk]
    text = text_of(by_provider)
    assert "2 of 3 schemes match the filters." in text
    assert "The 2 schemes shown" in text
    assert "Planned savings of all 3 schemes £48,000" in text  # the CCG's total stays whole


def test_a_filter_value_not_offered_is_reported(client, planner, ccg, tracked):
    response = tracker(client, planner, ccg, rag="purple", programme="999999", year="2030/31")
    text = text_of(response)
    assert "There is a problem" in text
    assert "Choose a RAG from the list" in text
    assert "Choose a QIPP programme from the list" in text
    assert "Choose a year from the list" in text
    assert len(scheme_ids(response)) == 3


def test_the_tracker_draws_the_cumulative_chart_with_its_table(client, planner, ccg, tracked):
    page = tracker(client, planner, ccg).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="qipp-chart-tracker"' in page
    assert 'role="img"' in page
    table = re.search(r'id="qipp-chart-tracker-table".*?</table>', page, re.S).group(0)
    cells = " ".join(re.sub(r"<[^>]+>", " ", table).split())
    assert "M1 (April) £4,000 £3,500 –" in cells
    assert "M3 (June) £12,000 £10,200 £10,200" in cells
    assert "M12 (March) £48,000 – £46,200" in cells
    summary = text_of(type("R", (), {"content": page.encode()}))
    assert "To the end of M3 (June): £10,200 saved against £12,000 planned" in summary


def test_a_ccg_with_no_schemes(client, planner, ccg):
    text = text_of(tracker(client, planner, ccg))
    assert "Rotherham has no QIPP schemes yet." in text
    assert "Import a QIPP report" in text


def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_tracker_takes_the_same_queries_for_5_and_50_schemes(client, planner, ccg):
    client.force_login(planner)
    programmes = [programme(ccg, f"Programme {n}", n) for n in range(5)]
    provider = ProviderFactory(ods_code="RTH")
    for n in range(5):
        scheme(ccg, f"S{n:02}", qipp_programme=programmes[n % 5], months=THOUSAND,
               actuals=("900",), provider=provider, lead=f"Lead {n % 3}")  # fmt: skip
    url = reverse("ccg-qipp", kwargs={"ods": ccg.ods_code})
    export = reverse("qipp-export", kwargs={"ods": ccg.ods_code, "fmt": "csv"})
    few, few_export = queries_for(client, url), queries_for(client, export)
    for n in range(5, 50):
        scheme(ccg, f"S{n:02}", qipp_programme=programmes[n % 5], months=THOUSAND,
               actuals=("900",), provider=provider, lead=f"Lead {n % 3}")  # fmt: skip
    many, many_export = queries_for(client, url), queries_for(client, export)
    assert len(scheme_ids(client.get(url))) == 50
    assert many == few
    assert many_export == few_export


# --- Downloads ------------------------------------------------------------------------------


def test_the_tracker_downloads_as_csv_in_the_report_layout(client, planner, ccg, tracked):
    client.force_login(planner)
    url = reverse("qipp-export", kwargs={"ods": ccg.ods_code, "fmt": "csv"})
    response = client.get(url, {"lead": "Dr Patel"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="qipp-03L-2012-13.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Unique ref"] for r in rows] == ["RB01", "RB03"]  # the filter applies
    assert rows[0]["Project name"] == "Reduce first OP appointments"
    assert D(rows[0]["M3 actual"]) == D("700")


def test_the_tracker_downloads_as_xlsx(client, planner, ccg, tracked):
    client.force_login(planner)
    response = client.get(reverse("qipp-export", kwargs={"ods": ccg.ods_code, "fmt": "xlsx"}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="qipp-03L-2012-13.xlsx"'
    assert response.content[:2] == b"PK"  # a zip: the xlsx container


def test_other_download_formats_are_404(client, planner, ccg, tracked):
    client.force_login(planner)
    url = reverse("qipp-export", kwargs={"ods": ccg.ods_code, "fmt": "pdf"})
    assert client.get(url).status_code == 404


# --- A scheme -------------------------------------------------------------------------------


def scheme_page(client, user, s):
    client.force_login(user)
    return client.get(reverse("qipp-scheme", kwargs={"ods": s.ccg.ods_code, "pk": s.pk}))


def test_a_scheme_page_shows_its_details_months_chart_and_history(client, planner, ccg,
                                                                   tracked):  # fmt: skip
    rb01 = tracked["RB01"]
    services.update(rb01, user=planner, expected_revision=rb01.revision, lead="Dr Khan")
    response = scheme_page(client, planner, rb01)
    assert response.status_code == 200
    text = text_of(response)
    assert "RB01 Reduce first OP appointments" in text
    assert "Activity change −719 first outpatient appointments" in text
    assert "Provider Worcestershire Acute Hospitals" in text
    assert row_text(response, "month-3") == "M3 (June) £1,000 £700 None made −£300"
    assert row_text(response, "month-4") == "M4 (July) £1,000 Not reported None made"
    assert "Variance −£300 (−10%)" in text
    assert "RAG: Amber: behind plan" in text
    page = response.content.decode()
    assert f'id="qipp-chart-scheme-{rb01.pk}"' in page
    assert "Lead: <del" in page and "Dr Patel" in text and "Dr Khan" in text
    assert "Enter monthly figures" in text


def test_a_scheme_links_to_its_priority_and_programme(client, planner, ccg):
    from tests.priorities.factories import PriorityFactory, ProgrammeFactory

    priority = PriorityFactory(plan__ccg=ccg, title="Planned care")
    transformation = ProgrammeFactory(ccg=ccg, name="Integrated care")
    s = scheme(ccg, "RB09", priority=priority, programme=transformation)
    page = scheme_page(client, planner, s).content.decode()
    assert f'href="/plans/{priority.plan_id}/priorities/#priority-{priority.pk}"' in page
    assert f'href="/programmes/{transformation.pk}/"' in page


def test_a_viewer_reads_a_scheme_but_is_not_offered_the_form(client, ccg, tracked):
    response = scheme_page(client, user_with_role(Role.VIEWER, ccg), tracked["RB01"])
    assert response.status_code == 200
    assert "Enter monthly figures" not in text_of(response)


def test_another_ccgs_scheme_is_404(client, ccg, other_ccg, tracked):
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert scheme_page(client, outsider, tracked["RB01"]).status_code == 404
    theirs = scheme(other_ccg, "X1")
    client.force_login(user_with_role(Role.PLANNING_MANAGER, ccg))
    # Their scheme's id under our CCG's address is not found either.
    assert client.get(f"/ccgs/03L/qipp/{theirs.pk}/").status_code == 404


# --- The monthly entry form -----------------------------------------------------------------


def months_url(s):
    return reverse("qipp-scheme-months", kwargs={"ods": s.ccg.ods_code, "pk": s.pk})


def posted(s, **changes) -> dict:
    """The form as it opens, with `changes` ({"actual-4": "950"})."""
    data = {}
    stored = {m.month: m for m in QippMonth.objects.filter(scheme=s)}
    for n in range(1, 13):
        m = stored.get(n)
        data[f"plan-{n}"] = str(m.plan) if m else "0.00"
        data[f"actual-{n}"] = "" if m is None or m.actual is None else str(m.actual)
        data[f"forecast-{n}"] = "" if m is None or m.forecast is None else str(m.forecast)
        data[f"revision-{n}"] = str(m.revision) if m else "0"
    return data | changes


def test_a_planner_records_actuals_for_several_months(client, planner, ccg, tracked):
    rb03 = tracked["RB03"]
    client.force_login(planner)
    assert client.get(months_url(rb03)).status_code == 200
    untouched = QippMonth.objects.get(scheme=rb03, month=1).revision
    response = client.post(months_url(rb03), posted(rb03, **{"actual-3": "£1,200.50",
                                                          "forecast-12": "1500"}))  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith(f"/qipp/{rb03.pk}/#months")
    months = {m.month: m for m in QippMonth.objects.filter(scheme=rb03)}
    assert months[3].actual == D("1200.50") and months[12].forecast == D("1500.00")
    assert months[1].revision == untouched  # unchanged months are not saved again
    assert months[3].history.first().history_user == planner
    page = client.get(response["Location"])
    assert "Figures saved for RB03: 2 months (M3, M12)." in text_of(page)


def test_bad_figures_are_named_by_month_and_figure(client, planner, ccg, tracked):
    rb03 = tracked["RB03"]
    client.force_login(planner)
    response = client.post(months_url(rb03), posted(rb03, **{"actual-3": "12k", "plan-5": "",
                                                          "forecast-7": "1.005"}))  # fmt: skip
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    assert "Enter the M5 (August) plan (0 if nothing is planned)" in text
    assert "The M3 (June) actual must be an amount in pounds, like 8833.33" in text
    assert "The M7 (October) forecast must be in pounds and pence" in text
    page = response.content.decode()
    assert 'href="#actual-3"' in page and 'id="actual-3"' in page
    assert QippMonth.objects.get(scheme=rb03, month=3).actual is None  # nothing saved


def test_someone_else_saving_first_shows_both_versions(client, planner, ccg, tracked):
    rb03 = tracked["RB03"]
    client.force_login(planner)
    opened = posted(rb03)
    colleague = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Ann", last_name="Lee")
    services.record_month(rb03, 2, user=colleague, expected_revision=None, actual=D("650"))
    response = client.post(months_url(rb03), opened | {"actual-2": "600", "actual-3": "900"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Someone else saved this after you started editing" in text
    assert "Saved by Ann Lee" in text
    assert "M2 (May) actual £650 £600" in text
    months = {m.month: m for m in QippMonth.objects.filter(scheme=rb03)}
    assert months[2].actual == D("650") and months[3].actual is None  # nothing of ours saved
    # The form now carries the new revision: saving again replaces the colleague's figure.
    again = re.search(r'name="revision-2" value="(\d+)"', response.content.decode()).group(1)
    assert int(again) == months[2].revision
    client.post(months_url(rb03), opened | {"revision-2": again, "actual-2": "600"})
    assert QippMonth.objects.get(scheme=rb03, month=2).actual == D("600")


def test_a_month_added_since_the_form_opened_is_a_conflict(client, planner, ccg):
    s = scheme(ccg, "RB10", months=["1000"] * 3)  # M4 to M12 have no row yet
    client.force_login(planner)
    opened = posted(s)
    services.record_month(s, 6, user=None, plan=D("400"))
    response = client.post(months_url(s), opened | {"plan-6": "300"})
    assert "M6 (September) plan £400 £300" in text_of(response)
    assert QippMonth.objects.get(scheme=s, month=6).plan == D("400")


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER])
def test_readers_who_may_not_write_get_403_with_the_reason(client, ccg, tracked, role):
    client.force_login(user_with_role(role, ccg))
    url = months_url(tracked["RB01"])
    for response in (client.get(url), client.post(url, posted(tracked["RB01"]))):
        assert response.status_code == 403
        assert "Only planning managers of Rotherham can change its finance." in text_of(response)


def test_scrutiny_and_other_ccgs_get_404_for_the_form(client, ccg, other_ccg, tracked):
    client.force_login(user_with_role(Role.SCRUTINY, ccg))
    assert client.get(months_url(tracked["RB01"])).status_code == 404
    client.force_login(user_with_role(Role.PLANNING_MANAGER, other_ccg))
    assert client.get(months_url(tracked["RB01"])).status_code == 404


# --- Imports --------------------------------------------------------------------------------

GOOD = (
    "Unique ref,Programme,Project name,Planned saving,M1 plan,M1 actual\n"
    "RB01,Orthopaedics,Reduce first OP appointments,12000,1000,900\n"
    "RB20,Medicines management,Prescribing switches,6000,500,\n"
)
BROKEN = (
    "Unique ref,Programme,Project name,Planned saving,M1 plan\n"
    "RB01,Orthopaedics,Reduce first OP appointments,twelve,1000\n"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def upload(client, ccg, content: str, name="qipp.csv", year="2012/13"):
    file = io.BytesIO(content.encode())
    file.name = name
    return client.post(reverse("qipp-import", kwargs={"ods": ccg.ods_code}),
                       {"file": file, "year": year})  # fmt: skip


def test_an_import_is_previewed_then_applied(client, planner, ccg, tracked, media):
    client.force_login(planner)
    assert client.get(reverse("qipp-import", kwargs={"ods": ccg.ods_code})).status_code == 200
    response = upload(client, ccg, GOOD)
    assert response.status_code == 302
    record = QippImport.objects.get()
    assert record.dry_run and record.status == "succeeded"
    preview = client.get(response["Location"])
    text = text_of(preview)
    assert "Preview: qipp.csv" in text
    assert "Would be created 1" in text and "Would be updated 1" in text
    assert "RB20 Medicines management Prescribing switches Create" in text
    assert "RB01 Orthopaedics Reduce first OP appointments Update M1 actual" in text
    assert "Medicines management A new QIPP programme Create" in text
    assert not QippScheme.objects.filter(reference="RB20").exists()  # nothing written yet

    applied = client.post(reverse("qipp-import-apply", kwargs={"ods": ccg.ods_code,
                                                               "pk": record.pk}))  # fmt: skip
    assert applied.status_code == 302
    assert applied["Location"] == "/ccgs/03L/qipp/?year=2012/13"
    assert QippScheme.objects.get(reference="RB20").planned_saving == D("6000")
    assert "1 QIPP scheme created, 1 updated, 0 unchanged." in text_of(
        client.get(applied["Location"])
    )
    assert QippMonth.objects.get(scheme=tracked["RB01"], month=1).actual == D("900")
    assert QippImport.objects.filter(dry_run=False, status="succeeded").count() == 1


def test_a_broken_file_names_the_row_column_and_cell(client, planner, ccg, tracked, media):
    client.force_login(planner)
    response = upload(client, ccg, BROKEN)
    page = client.get(response["Location"])
    text = text_of(page)
    assert "There is a problem with the file" in text
    assert re.search(r"Row 2, column Planned saving, cell D2: .*twelve", text)
    assert "Apply this import" not in text
    assert "Upload a corrected file" in text
    assert QippScheme.objects.get(reference="RB01").planned_saving == D("12000")


def test_the_upload_form_reports_what_is_missing(client, planner, ccg, media):
    client.force_login(planner)
    response = client.post(reverse("qipp-import", kwargs={"ods": ccg.ods_code}), {"year": "x"})
    text = text_of(response)
    assert "Choose the CSV or Excel (.xlsx) file to import" in text
    assert "is not a financial year" in text
    wrong = upload(client, ccg, "hello", name="qipp.pdf")
    assert "The file must be a CSV (.csv) or an Excel (.xlsx) file" in text_of(wrong)
    assert not QippImport.objects.exists()


def test_readers_who_may_not_write_cannot_import(client, ccg, tracked, media):
    client.force_login(user_with_role(Role.VIEWER, ccg))
    assert client.get(reverse("qipp-import", kwargs={"ods": ccg.ods_code})).status_code == 403
    assert upload(client, ccg, GOOD).status_code == 403
    assert not QippImport.objects.exists()
