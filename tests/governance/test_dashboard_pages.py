"""The dashboard pages: what the governing body reads, the month chosen, the drill-down to one
standard, who may see them, and queries that do not grow with the data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.access import Role
from tests.factories import ProviderFactory, user_with_role
from tests.governance.test_dashboard import STABLE_THEN_FALL, add_series, make_standard
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, ProgressUpdateFactory


@pytest.fixture
def board_client(client, ccg):
    client.force_login(user_with_role(Role.GOVERNING_BODY, ccg))
    return client


@pytest.fixture
def ae(ccg):
    standard = make_standard(name="A&E attendances seen within 4 hours")
    add_series(standard, ccg, STABLE_THEN_FALL)  # April 2012 to December 2013
    return standard


def dashboard_url(ods="03L", **query):
    url = reverse("ccg-dashboard", kwargs={"ods": ods})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def standard_url(code="ae-4-hours", ods="03L", **query):
    url = reverse("ccg-standard", kwargs={"ods": ods, "code": code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The dashboard --------------------------------------------------------------------------


def test_the_dashboard_shows_each_standard_with_its_icons_in_words(board_client, ae):
    response = board_client.get(dashboard_url())

    assert response.status_code == 200
    page = text_of(response)
    assert "Governing body dashboard" in page
    assert "Data up to December 2013 (from the latest measurement recorded)." in page
    assert "as they stood at the end of <strong>December 2013</strong>" in page
    row = re.search(r'<tr class="nhsuk-table__row" id="standard-ae-4-hours">(.*?)</tr>', page)
    assert row, "the A&E row"
    cells = row.group(1)
    assert f'href="{standard_url()}"' in cells
    assert "80%" in cells and "December 2013" in cells
    assert "95%" in cells and "Not met" in cells
    assert "Special cause variation: concern (low values)" in cells
    assert "Consistently fails the target" in cells
    assert 'id="spark-ae-4-hours"' in cells and 'aria-hidden="true"' in cells
    assert 'id="group-ae"' in page
    assert "No approved or published plan is in force in December 2013." in page


def test_choosing_an_earlier_month(board_client, ae):
    response = board_client.get(dashboard_url(month="2012-11"))

    page = text_of(response)
    assert response.status_code == 200
    assert "as they stood at the end of <strong>November 2012</strong>" in page
    assert re.search(r'<option value="2012-11" selected ?>November 2012</option>', page)
    assert "Common cause variation" in page
    # The drill-down keeps the month.
    assert f'href="{standard_url(month="2012-11")}"' in page


@pytest.mark.parametrize("month", ["2012-13", "March", "2011-01", "2014-01"])
def test_a_month_without_data_is_refused_with_a_message(board_client, ae, month):
    response = board_client.get(dashboard_url(month=month))

    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    assert 'href="#month"' in page
    assert "December 2013" in page  # the newest month is shown instead


def test_delivery_counts_per_plan(board_client, ccg, ae):
    plan = PlanFactory(ccg=ccg, state="published", title="Integrated Plan 2013/14",
                       first_year=2013, last_year=2013)  # fmt: skip
    first, second = (
        ActionFactory(commitment__priority__plan=plan),
        ActionFactory(commitment__priority__plan=plan),
    )
    ProgressUpdateFactory(action=first, status="at-risk", reported_on=dt.date(2013, 10, 2))
    ProgressUpdateFactory(action=second, status="complete", reported_on=dt.date(2014, 2, 1))

    page = text_of(board_client.get(dashboard_url()))

    assert 'At risk <span class="app-rag-text">(amber)</span>' in page
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>\s*<a [^>]*>Integrated Plan 2013/14</a>(.*?)</tr>", page)
    row = row.group(0)
    numbers = re.findall(r'nhsuk-table__cell--numeric">(\d+)</td>', row)
    # not started, on track, at risk, off track, complete; all actions
    assert numbers == ["1", "0", "1", "0", "0", "2"]
    assert f'href="{reverse("plan-delivery", kwargs={"pk": plan.pk})}"' in row


def test_illustrative_figures_are_labelled(board_client, ccg):
    standard = make_standard()
    add_series(standard, ccg, [94] * 12, illustrative=True)

    page = text_of(board_client.get(dashboard_url()))

    assert "Illustrative figures" in page


def test_no_data_yet(board_client, ccg):
    make_standard()

    response = board_client.get(dashboard_url())

    page = text_of(response)
    assert response.status_code == 200
    assert "No performance data yet." in page
    assert 'name="month"' not in page
    assert "No data" in page


# --- The drill-down -------------------------------------------------------------------------


def test_the_drill_down_has_the_chart_its_summary_and_its_data(board_client, ccg, ae):
    provider = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    add_series(ae, ccg, [93, 94] * 6, provider=provider)

    response = board_client.get(standard_url())

    assert response.status_code == 200
    page = text_of(response)
    assert "<svg" in page and 'id="spc-ae-4-hours"' in page
    assert "21 points from Apr 2012 to Dec 2013." in page
    table = re.search(r'<table class="nhsuk-table app-chart-table">(.*?)</table>', page).group(1)
    assert len(re.findall(r'<tr class="nhsuk-table__row">', table)) == 1 + 21
    assert "Below the lower process limit" in table
    assert 'id="thresholds"' in page and "1 April 2010" in page
    assert "In force for the latest value" in page
    providers = re.search(r'id="provider-RFR">(.*?)</tr>', page).group(1)
    assert "The Rotherham NHS Foundation Trust" in providers and "94%" in providers
    assert f'href="{dashboard_url()}"' in page  # back to the dashboard


def test_the_drill_down_as_at_an_earlier_month(board_client, ae):
    page = text_of(board_client.get(standard_url(month="2012-11")))

    assert "8 points from Apr 2012 to Nov 2012." in page
    assert f'href="{dashboard_url(month="2012-11")}"' in page
    assert 'id="providers"' not in page  # no provider figures


def test_unknown_standards_and_other_ccgs_local_kpis_are_not_found(board_client, ccg, other_ccg):
    make_standard("their-kpi", group="other", ccg=other_ccg, thresholds=())

    assert board_client.get(standard_url("no-such-standard")).status_code == 404
    assert board_client.get(standard_url("their-kpi")).status_code == 404


# --- Who -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER]
)
def test_everyone_with_a_role_in_the_ccg_reads_it(client, ccg, ae, role):
    client.force_login(user_with_role(role, ccg))

    assert client.get(dashboard_url()).status_code == 200
    assert client.get(standard_url()).status_code == 200


def test_other_ccgs_and_signed_out_visitors(client, ccg, other_ccg, ae):
    assert client.get(dashboard_url()).status_code == 302
    assert client.get(dashboard_url())["Location"].startswith(reverse("login"))
    client.force_login(user_with_role(Role.PLANNING_MANAGER, other_ccg))
    assert client.get(dashboard_url()).status_code == 404
    assert client.get(standard_url()).status_code == 404


# --- Queries --------------------------------------------------------------------------------


def fill(ccg, months, standards):
    plan = PlanFactory(ccg=ccg, state="published", first_year=2012, last_year=2016)
    ActionFactory.create_batch(3, commitment__priority__plan=plan)
    providers = [ProviderFactory(ods_code=code) for code in ("RFR", "RHQ")]
    for number in range(standards):
        standard = make_standard(f"standard-{number}", order=number)
        add_series(standard, ccg, [90 + (i % 5) for i in range(months)])
        for provider in providers:
            add_series(standard, ccg, [80 + (i % 3) for i in range(months)], provider=provider)


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("months, standards", [(12, 5), (48, 25)])
def test_the_pages_read_in_a_fixed_number_of_queries(board_client, ccg, months, standards):
    fill(ccg, months, standards)

    # Session and user, membership scope, the CCG, data range (2), standards and thresholds
    # (2), measurements (1), plans and actions (2), the CCG switcher; later panels: the
    # year's financial plan and QIPP schemes (2), risks, meeting actions, meetings (3).
    assert page_queries(board_client, dashboard_url()) == 17
    assert page_queries(board_client, dashboard_url(month="2012-06")) == 17
    assert page_queries(board_client, standard_url("standard-0")) == 11
