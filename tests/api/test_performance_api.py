"""The performance API: standards (national read-only, local KPIs by planning managers),
measurements (scoped by CCG, filters, CSV, constant queries), measurement imports (upload,
row-by-row result, who may import), the SPC calculator and the SPC of a stored series."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.models import ApiToken
from governance.catalogue import load_catalogue
from governance.models import Measurement, MeasurementImport, Standard
from tests.factories import CCGFactory, ProviderFactory, UserFactory, user_with_role

DATA = Path(__file__).resolve().parent.parent / "governance" / "data"


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def catalogue(db):
    load_catalogue()


@pytest.fixture
def pm(ccg):
    return client_as(user_with_role(Role.PLANNING_MANAGER, ccg))


@pytest.fixture
def staff(staff_user):
    return client_as(staff_user)


def month(index: int, start=dt.date(2014, 4, 1)) -> dt.date:
    m = start.month - 1 + index
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def add_series(code, ccg, values, *, provider=None, source=""):
    standard = Standard.objects.get(code=code)
    Measurement.objects.bulk_create(
        Measurement(
            standard=standard,
            ccg=ccg,
            provider=provider,
            period_start=month(i),
            value=Decimal(str(v)),
            source=source,
        )  # fmt: skip
        for i, v in enumerate(values)
    )


def local_kpi(ccg, code="local-delayed-discharges"):
    return Standard.objects.create(code=code, name="Delayed discharges", group="other",
                                   unit="count", direction="lower", ccg=ccg)  # fmt: skip


# --- Standards -----------------------------------------------------------------------------------


def test_a_standard_by_code_with_its_thresholds(catalogue, ccg, role_user):
    client = client_as(role_user(Role.VIEWER))

    body = client.get("/api/v1/standards/rtt-admitted-18-weeks/").json()

    assert body["code"] == "rtt-admitted-18-weeks" and body["ccg"] is None
    assert (body["unit"], body["direction"], body["is_local"]) == ("percent", "higher", False)
    assert body["thresholds"] == [{"value": "90.000", "applies_from": "2012-04-01",
                                   "applies_to": "2015-09-30",
                                   "note": "Retired from October 2015"}]  # fmt: skip
    assert body["current_threshold"] is None  # retired
    ae = client.get("/api/v1/standards/ae-4-hours/").json()
    assert ae["current_threshold"]["value"] == "95.000"


def test_a_list_of_standards_builds_the_threshold_serializer_once(
    catalogue, ccg, role_user, monkeypatch
):
    """Each standard's current threshold is shown by the one nested serializer of the list:
    building a serializer per row (its fields each time) was a quarter of the list's time."""
    from governance.api_standards import ThresholdSerializer

    built = []
    get_fields = ThresholdSerializer.get_fields
    monkeypatch.setattr(
        ThresholdSerializer, "get_fields", lambda self: built.append(1) or get_fields(self)
    )
    client = client_as(role_user(Role.VIEWER))

    def listed():
        built.clear()
        body = client.get("/api/v1/standards/", {"page_size": 100}).json()
        return body, len(built)

    body, few = listed()
    for n in range(10):
        local_kpi(ccg, f"local-kpi-{n}")
    more, many = listed()

    assert (body["count"], more["count"]) == (25, 35) and few == many == 1
    ae = next(item for item in more["results"] if item["code"] == "ae-4-hours")
    detail = client.get("/api/v1/standards/ae-4-hours/").json()
    assert ae["current_threshold"] == detail["current_threshold"]
    assert ae["current_threshold"]["value"] == "95.000"


def test_local_kpis_are_seen_by_their_ccg_only(catalogue, ccg, other_ccg, role_user):
    ours, theirs = local_kpi(ccg), local_kpi(other_ccg, "their-kpi")
    client = client_as(role_user(Role.VIEWER))

    listing = client.get("/api/v1/standards/", {"page_size": 100}).json()
    codes = {item["code"] for item in listing["results"]}
    assert listing["count"] == 26 and ours.code in codes and theirs.code not in codes
    assert client.get(f"/api/v1/standards/{theirs.code}/").status_code == 404
    local = client.get("/api/v1/standards/", {"local": "true"}).json()["results"]
    assert [item["code"] for item in local] == [ours.code]
    assert local[0]["ccg"] == "03L" and local[0]["is_local"] is True
    for_theirs = client.get("/api/v1/standards/", {"ccg": "04R", "page_size": 100}).json()
    assert for_theirs["count"] == 25  # national ones only: 04R's KPI stays invisible


def test_national_standards_are_changed_by_staff_only(catalogue, pm, staff):
    refused = pm.patch("/api/v1/standards/ae-4-hours/", {"name": "Changed"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "National standards come from the standards catalogue; only staff change them."
    )
    created = pm.post("/api/v1/standards/", {"code": "new", "name": "New", "group": "ae",
                                             "unit": "percent", "direction": "higher"},
                      format="json")  # fmt: skip
    assert created.status_code == 403

    changed = staff.patch("/api/v1/standards/ae-4-hours/", {"name": "Changed"}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "Changed"


def test_planning_managers_add_and_change_local_kpis(catalogue, ccg, other_ccg, pm):
    new = {"code": "delayed-discharges", "name": "Delayed transfers of care", "group": "other",
           "unit": "count", "direction": "lower", "ccg": "03L"}  # fmt: skip

    created = pm.post("/api/v1/standards/", new, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["ccg"], body["is_local"], body["frequency"]) == ("03L", True, "monthly")
    assert Standard.objects.get(code="delayed-discharges").ccg == ccg

    again = pm.post("/api/v1/standards/", {**new, "name": "Again"}, format="json")
    assert again.status_code == 400 and again.json()["field"] == "code"
    assert "exists already" in again.json()["detail"]
    elsewhere = pm.post("/api/v1/standards/", {**new, "code": "x", "ccg": "04R"}, format="json")
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "ccg"

    renamed = pm.patch("/api/v1/standards/delayed-discharges/", {"name": "DToC"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "DToC"
    moved = pm.patch("/api/v1/standards/delayed-discharges/", {"ccg": "04R"}, format="json")
    assert moved.status_code == 400

    add_series("delayed-discharges", ccg, [5])
    kept = pm.delete("/api/v1/standards/delayed-discharges/")
    assert kept.status_code == 409 and "has 1 measurement" in kept.json()["detail"]
    Measurement.objects.all().delete()
    assert pm.delete("/api/v1/standards/delayed-discharges/").status_code == 204


def test_other_roles_do_not_add_kpis(catalogue, role_user):
    board = client_as(role_user(Role.GOVERNING_BODY))
    response = board.post("/api/v1/standards/", {"code": "x", "name": "X", "group": "other",
                                                 "unit": "count", "direction": "lower",
                                                 "ccg": "03L"}, format="json")  # fmt: skip
    assert response.status_code == 403
    assert "Only planning managers of" in response.json()["detail"]


# --- Measurements --------------------------------------------------------------------------------


def test_measurements_of_other_ccgs_are_invisible(catalogue, ccg, other_ccg, role_user):
    add_series("ae-4-hours", ccg, [93, 94])
    add_series("ae-4-hours", other_ccg, [88])
    theirs = Measurement.objects.get(ccg=other_ccg)
    client = client_as(role_user(Role.SCRUTINY))

    body = client.get("/api/v1/measurements/").json()

    assert body["count"] == 2
    first = body["results"][0]
    assert (first["standard"], first["ccg"], first["provider"], first["period"]) == (
        "ae-4-hours", "03L", None, "2014-04",
    )  # fmt: skip
    assert (first["value"], first["unit"], first["period_type"]) == ("93.000", "percent", "month")
    assert client.get(f"/api/v1/measurements/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/measurements/", {"ccg": "04R"}).json()["count"] == 0


def test_measurement_filters(catalogue, ccg):
    trust = ProviderFactory(ods_code="RFR")
    add_series("ae-4-hours", ccg, [90, 91, 92, 93])
    add_series("ae-4-hours", ccg, [80, 81], provider=trust)
    add_series("rtt-52-week-waits", ccg, [3])
    client = client_as(user_with_role(Role.VIEWER, ccg))

    def values(**params):
        rows = client.get("/api/v1/measurements/", params).json()["results"]
        return [row["value"] for row in rows]

    assert values(standard="rtt-52-week-waits") == ["3.000"]
    assert values(provider="RFR") == ["80.000", "81.000"]
    assert values(standard="ae-4-hours", whole_ccg="true") == ["90.000", "91.000", "92.000",
                                                                "93.000"]  # fmt: skip
    assert values(standard="ae-4-hours", whole_ccg="true", period_from="2014-05",
                  period_to="2014-06") == ["91.000", "92.000"]  # fmt: skip
    bad = client.get("/api/v1/measurements/", {"period_from": "2014-13"})
    assert bad.status_code == 400 and "has no month 13" in str(bad.json())


def test_measurement_list_queries_do_not_grow(catalogue, ccg, other_ccg):
    trust = ProviderFactory(ods_code="RFR")
    client = client_as(user_with_role(Role.VIEWER, ccg))
    add_series("ae-4-hours", ccg, [90, 91])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/measurements/", {"page_size": 500}).status_code == 200
        return len(captured)

    few = queries()
    for code in ("rtt-52-week-waits", "diagnostics-6-weeks", "cancer-2ww-urgent"):
        add_series(code, ccg, range(40), provider=trust)
    assert queries() == few


def test_csv_gives_every_filtered_row(catalogue, ccg):
    add_series("ae-4-hours", ccg, [90 + i % 5 for i in range(60)], source="=HYPERLINK(x)")
    add_series("rtt-52-week-waits", ccg, [3])
    client = client_as(user_with_role(Role.VIEWER, ccg))

    response = client.get("/api/v1/measurements/", {"standard": "ae-4-hours", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="measurement.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 60  # not cut to a page of 50
    assert (rows[0]["Standard"], rows[0]["CCG"], rows[0]["Period"], rows[0]["Value"]) == (
        "ae-4-hours", "03L", "2014-04", "90.000",
    )  # fmt: skip
    assert rows[0]["Source"] == "'=HYPERLINK(x)"  # not a formula in Excel


def test_measurements_are_written_by_staff_only(catalogue, ccg, pm, staff):
    new = {"standard": "ae-4-hours", "ccg": "03L", "period": "2014-04", "numerator": "9120",
           "denominator": "9800"}  # fmt: skip
    assert pm.post("/api/v1/measurements/", new, format="json").status_code == 403

    created = staff.post("/api/v1/measurements/", new, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["value"] == "93.061"  # worked out: 9120 / 9800
    pk = created.json()["id"]

    disagrees = staff.patch(f"/api/v1/measurements/{pk}/", {"value": "80"}, format="json")
    assert disagrees.status_code == 400 and disagrees.json()["field"] == "value"
    again = staff.post("/api/v1/measurements/", new, format="json")
    assert again.status_code == 400 and again.json()["field"] == "period"
    corrected = staff.patch(f"/api/v1/measurements/{pk}/",
                            {"numerator": "9200", "value": None}, format="json")  # fmt: skip
    assert corrected.status_code == 200 and corrected.json()["value"] == "93.878"
    assert pm.delete(f"/api/v1/measurements/{pk}/").status_code == 403
    assert staff.delete(f"/api/v1/measurements/{pk}/").status_code == 204


# --- Imports: run at once (Celery eager, outside a transaction) -----------------------------------


def upload(name="good.csv", content=None):
    data = content if content is not None else (DATA / name).read_bytes()
    return SimpleUploadedFile(name, data, content_type="text/csv")


OWN_ROWS = b"standard,ccg,period,numerator,denominator,value\nae-4-hours,03L,2013-04,9120,9800,\n"


@pytest.fixture
def imports(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_catalogue()
    ProviderFactory(ods_code="RFR")
    return CCGFactory(ods_code="03L"), CCGFactory(ods_code="04R")


def test_a_planning_manager_imports_their_ccgs_figures(imports):
    ccg, _ = imports
    client = client_as(user_with_role(Role.PLANNING_MANAGER, ccg))

    response = client.post("/api/v1/measurement-imports/", {"file": upload("ae.csv", OWN_ROWS)},
                           format="multipart")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["ccg"], body["rows_read"], body["created"]) == (
        "succeeded", "03L", 1, 1,
    )  # fmt: skip
    assert body["latest_period"] == "2013-04" and body["errors"] == []
    assert Measurement.objects.get().value == Decimal("93.061")
    listing = client.get("/api/v1/measurement-imports/").json()
    assert [item["id"] for item in listing["results"]] == [body["id"]]


def test_rows_of_another_ccg_come_back_row_by_row(imports):
    ccg, _ = imports
    client = client_as(user_with_role(Role.PLANNING_MANAGER, ccg))

    body = client.post("/api/v1/measurement-imports/", {"file": upload()},
                       format="multipart").json()  # fmt: skip

    assert body["status"] == "failed" and body["created"] == 0
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [
        (8, "ccg", "04R"), (9, "ccg", "04R"),
    ]  # fmt: skip
    assert "No measurements were changed" in body["message"]
    assert not Measurement.objects.exists()


def test_dry_run_through_the_api(imports):
    client = client_as(user_with_role(Role.ASSURER))
    body = client.post("/api/v1/measurement-imports/", {"file": upload(), "dry_run": "true"},
                       format="multipart").json()  # fmt: skip
    assert (body["status"], body["dry_run"], body["created"]) == ("succeeded", True, 8)
    assert not Measurement.objects.exists()


def test_who_may_import(imports):
    ccg, other = imports
    viewer = client_as(user_with_role(Role.VIEWER, ccg))
    refused = viewer.post("/api/v1/measurement-imports/", {"file": upload()}, format="multipart")
    assert refused.status_code == 403 and "Only planning managers" in refused.json()["detail"]

    pm = client_as(user_with_role(Role.PLANNING_MANAGER, ccg))
    theirs = pm.post("/api/v1/measurement-imports/", {"file": upload(), "ccg": "04R"},
                     format="multipart")  # fmt: skip
    assert theirs.status_code == 400 and theirs.json()["field"] == "ccg"
    both = client_as(user_with_role(Role.PLANNING_MANAGER, other))
    assert both.post("/api/v1/measurement-imports/", {"file": upload(), "ccg": "03L"},
                     format="multipart").status_code == 400  # fmt: skip
    missing = pm.post("/api/v1/measurement-imports/", {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["field"] == "file"

    staff = client_as(UserFactory(is_staff=True))
    assert staff.post("/api/v1/measurement-imports/", {"file": upload()},
                      format="multipart").json()["created"] == 8  # fmt: skip
    # The other CCG's planning manager does not see 03L's imports, nor the national one.
    seen = both.get("/api/v1/measurement-imports/").json()
    assert seen["count"] == 0


def test_a_read_only_token_does_not_import(imports):
    ccg, _ = imports
    user = user_with_role(Role.PLANNING_MANAGER, ccg)
    _, key = ApiToken.issue(user, "reader", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post("/api/v1/measurement-imports/", {"file": upload("a.csv", OWN_ROWS)},
                           format="multipart")  # fmt: skip
    assert response.status_code == 403
    assert MeasurementImport.objects.count() == 0


def test_an_import_queued_in_a_transaction_answers_202_then_finishes(
    catalogue, ccg, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(user_with_role(Role.PLANNING_MANAGER, ccg))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/measurement-imports/", {"file": upload("ae.csv", OWN_ROWS)}, format="multipart"
        )
        assert response.status_code == 202 and response.json()["status"] == "queued"

    detail = client.get(f"/api/v1/measurement-imports/{response.json()['id']}/").json()
    assert (detail["status"], detail["created"]) == ("succeeded", 1)


# --- The SPC calculator ---------------------------------------------------------------------------


def test_spc_calculator_on_a_hand_worked_case(db):
    client = client_as(UserFactory())  # any signed-in user, role or not
    # [9, 11] x 5 then 30: mean (100 + 30) / 11 = 11.8182; moving ranges 9 x 2 + 19 = 37,
    # / 10 = 3.7; limits 11.8182 ± 9.842 = 1.9762 to 21.6602. The first ten points all lie
    # below the mean: a run (low, a concern when higher is better). 30 is above the upper
    # limit: improvement (high). The target 25 is above the upper limit: consistently fails.
    body = client.post("/api/v1/spc/", {"values": [9, 11] * 5 + [30], "direction": "higher",
                                        "target": 25}, format="json").json()  # fmt: skip

    segment = body["segments"][0]
    assert segment["mean"] == pytest.approx(130 / 11)
    assert segment["mean_moving_range"] == pytest.approx(3.7)
    assert segment["upper_limit"] == pytest.approx(130 / 11 + 9.842)
    assert segment["lower_limit"] == pytest.approx(130 / 11 - 9.842)
    assert segment["trial"] is True  # 11 points, fewer than 12
    latest = body["points"][-1]
    assert (latest["period"], latest["value"], latest["rules"]) == (11, 30, ["outside_limits"])
    assert latest["special_cause"] == "improvement" and latest["colour"] == "#00B0F0"
    assert [p["rules"] for p in body["points"][:-1]] == [["run"]] * 10
    assert {p["special_cause"] for p in body["points"][:-1]} == {"concern"}
    assert {p["side"] for p in body["points"][:-1]} == {"low"}
    assert body["variation"]["code"] == "improvement_high"
    assert body["assurance"]["code"] == "consistently_fail"
    assert body["settings"] == {"run_length": 7, "trend_length": 7, "minimum_points": 12,
                                "screen_moving_ranges": False}  # fmt: skip


def test_spc_calculator_settings_periods_and_rebasing(db):
    client = client_as(UserFactory())
    body = client.post(
        "/api/v1/spc/",
        {"values": [1, 2, 3, 4, 5, 6, 10, 10], "periods": [f"2016-0{i}" for i in range(1, 9)],
         "direction": "lower", "trend_length": 6, "rebase_at": [6]},
        format="json",
    ).json()  # fmt: skip
    assert [p["period"] for p in body["points"]][:2] == ["2016-01", "2016-02"]
    assert body["rebase_indexes"] == [6] and len(body["segments"]) == 2
    # Six rising points: a trend; rising is a concern when lower is better.
    assert [p["trend"] for p in body["points"][:6]] == [True] * 6
    assert body["points"][5]["special_cause"] == "concern"
    assert body["assurance"] is None  # no target


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"values": [1, 2], "rebase_at": [5]}, "rebase_at", "no such point"),
        ({"values": [1, "x"]}, "values.1", "A valid number is required"),
        ({"values": [1, 2], "direction": "up"}, "direction", "not a valid choice"),
        ({"values": [1, 2], "run_length": 1}, "run_length", "greater than or equal to 2"),
        ({"values": [1, 2], "periods": ["a"]}, "periods", "as many periods as values"),
        ({}, "values", "required"),
    ],
)
def test_spc_calculator_refusals_name_the_field(db, payload, field, words):
    response = client_as(UserFactory()).post("/api/v1/spc/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field and words in response.json()["detail"]


def test_spc_calculator_needs_a_signed_in_user(db):
    response = APIClient().post("/api/v1/spc/", {"values": [1, 2]}, format="json")
    assert response.status_code == 401


# --- The SPC of a stored series -------------------------------------------------------------------


def test_spc_of_a_stored_series(catalogue, ccg, other_ccg):
    trust = ProviderFactory(ods_code="RFR")
    add_series("ae-4-hours", ccg, [90, 92] * 5 + [80])
    add_series("ae-4-hours", ccg, [70, 71], provider=trust)
    client = client_as(user_with_role(Role.GOVERNING_BODY, ccg))

    body = client.get("/api/v1/standards/ae-4-hours/spc/", {"ccg": "03l"}).json()

    assert (body["standard"], body["ccg"], body["provider"], body["period_type"]) == (
        "ae-4-hours", "03L", None, "month",
    )  # fmt: skip
    assert [p["period"] for p in body["points"]][:2] == ["2014-04", "2014-05"]
    # Mean 90, mean moving range 3, limits 82.02 to 97.98; 80 is below: concern.
    assert body["segments"][0]["mean"] == 90 and body["target"] == 95
    assert body["variation"]["code"] == "concern_low"
    assert body["assurance"]["code"] == "hit_and_miss"
    by_trust = client.get("/api/v1/standards/ae-4-hours/spc/", {"ccg": "03L", "provider": "RFR"})
    assert [p["value"] for p in by_trust.json()["points"]] == [70, 71]
    up_to = client.get("/api/v1/standards/ae-4-hours/spc/", {"ccg": "03L", "to": "2014-05"})
    assert len(up_to.json()["points"]) == 2
    six = client.get("/api/v1/standards/ae-4-hours/spc/", {"ccg": "03L", "run_length": 6})
    assert six.json()["settings"]["run_length"] == 6


def test_stored_series_of_another_ccg_is_not_found(catalogue, ccg, other_ccg):
    add_series("ae-4-hours", other_ccg, [90, 91])
    client = client_as(user_with_role(Role.VIEWER, ccg))
    assert client.get("/api/v1/standards/ae-4-hours/spc/", {"ccg": "04R"}).status_code == 404
    missing = client.get("/api/v1/standards/ae-4-hours/spc/")
    assert missing.status_code == 400 and missing.json()["field"] == "ccg"
    theirs = local_kpi(other_ccg)
    assert client.get(f"/api/v1/standards/{theirs.code}/spc/", {"ccg": "03L"}).status_code == 404
    ours = local_kpi(ccg, "our-kpi")
    other_reader = client_as(user_with_role(Role.ASSURER))
    wrong_ccg = other_reader.get(f"/api/v1/standards/{ours.code}/spc/", {"ccg": "04R"})
    assert wrong_ccg.status_code == 400 and wrong_ccg.json()["field"] == "ccg"
