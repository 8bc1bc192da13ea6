"""The audit log of a CCG (governance.audit, the page `/ccgs/<ods>/audit/` and its export):
changes made on the pages, through the API with a token and in the admin each appear with
who made them, when, and each changed field's old and new value; role, seat and committee
membership changes appear; the right people see it; the export has every row; and a page
costs the same number of queries for 1 change as for 30."""

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from commissioning.models import ApiToken, GoverningBodyMembership, Membership, Person
from governance import audit
from governance import services_risks as risks
from governance.models import Attendance, CommitteeMember, Meeting, Risk
from tests.factories import UserFactory, user_with_role
from tests.governance.test_risk_pages import risk_post
from tests.governance.test_risk_services import make_committee, make_risk

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def audit_url(ccg, **query) -> str:
    url = reverse("ccg-audit", kwargs={"ods": ccg.ods_code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def events(ccg, **filters):
    chosen = audit.AuditFilters(ccg_ids=frozenset({ccg.pk}), **filters)
    return list(audit.iter_events(chosen, {ccg.pk: ccg.ods_code}))


def only(found, kind, change):
    matching = [e for e in found if e.kind == kind and e.change == change]
    assert len(matching) == 1, [(e.kind, e.change, e.record) for e in found]
    return matching[0]


@pytest.fixture
def board(ccg):
    return user_with_role(Role.GOVERNING_BODY, ccg, first_name="Julie", last_name="Kitlowski")


@pytest.fixture
def manager(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Ian", last_name="Atkinson")


@pytest.fixture
def risk(ccg):
    return make_risk(ccg, reference="R01", title="QIPP savings not delivered")


# --- Changes from each way in -----------------------------------------------------------------


def test_a_change_on_the_pages_appears_with_its_user_time_and_fields(client, ccg, manager, risk):
    client.force_login(manager)
    before = timezone.now()
    data = risk_post(reference="R01", title="QIPP shortfall", revision="1")
    response = client.post(reverse("risk-edit", kwargs={"ods": "03L", "pk": risk.pk}), data)
    assert response.status_code == 302, response.content[:400]

    changed = only(events(ccg), "risk", "changed")
    assert changed.who == "Ian Atkinson" and changed.user_id == manager.pk
    assert before <= changed.when <= timezone.now()
    fields = {c["field"]: (c["old"], c["new"]) for c in changed.changes}
    assert fields["title"] == ("QIPP savings not delivered", "QIPP shortfall")
    assert fields["owner"] == ("(empty)", "Director of Nursing")
    assert "revision" not in fields  # the concurrency counter is not a change
    assert changed.url == reverse("risk-detail", kwargs={"ods": "03L", "pk": risk.pk})
    created = only(events(ccg), "risk", "created")
    assert created.who == audit.SYSTEM and created.changes == []

    page = client.get(audit_url(ccg))
    assert page.status_code == 200
    text = text_of(page)
    assert "Ian Atkinson" in text and "QIPP savings not delivered → changed to QIPP shortfall" in (
        text
    )
    assert f'href="{changed.url}"' in page.content.decode()


def test_api_writes_with_a_token_record_the_tokens_user(api_client, ccg, manager):
    """The committee service names the user itself; attendance is saved with no user named, so
    only the request (DRF's token authentication, seen by simple-history's middleware) can
    tell who made it."""
    committee = make_committee(ccg)
    member = CommitteeMember.objects.create(committee=committee, title="Lay member")
    meeting = Meeting.objects.create(committee=committee, date=dt.date(2016, 5, 3))
    _, key = ApiToken.issue(manager, "reporting")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    patched = api_client.patch(
        f"/api/v1/committees/{committee.pk}/", {"frequency": "Monthly"}, format="json"
    )
    attended = api_client.patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"record_attendance": [{"member": member.pk, "status": "present"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert attended.status_code == 200, attended.content

    found = events(ccg)
    committee_change = only(found, "committee", "changed")
    assert committee_change.user_id == manager.pk
    assert [(c["field"], c["old"], c["new"]) for c in committee_change.changes] == [
        ("frequency", "(empty)", "Monthly")
    ]
    attendance = only(found, "attendance", "created")
    assert attendance.user_id == manager.pk and attendance.who == "Ian Atkinson"
    assert Attendance.history.get().history_user == manager


def test_a_change_in_the_admin_records_the_staff_user(client, ccg):
    staff_user = UserFactory(username="staff", is_staff=True, is_superuser=True)
    person = UserFactory(username="jwells", first_name="Jonathan", last_name="Wells")
    membership = Membership.objects.create(user=person, ccg=ccg, role=Role.VIEWER)
    client.force_login(staff_user)
    url = reverse("admin:commissioning_membership_change", args=[membership.pk])
    response = client.post(url, {"user": person.pk, "ccg": ccg.pk, "role": Role.GOVERNING_BODY})
    assert response.status_code == 302, text_of(response)[:600]

    changed = only(events(ccg), "membership", "changed")
    assert changed.user_id == staff_user.pk and changed.who == "staff"
    assert changed.record == "Jonathan Wells: Governing body member"
    assert [(c["field"], c["old"], c["new"]) for c in changed.changes] == [
        ("role", "Viewer", "Governing body member")
    ]


def test_membership_seat_and_committee_member_changes_appear(ccg, other_ccg):
    person = Person.objects.create(ccg=ccg, name="Dr Jonathan Wells")
    user = UserFactory(username="wells")
    role = Membership.objects.create(user=user, ccg=ccg, role=Role.VIEWER)
    role.role = Role.SCRUTINY
    role.save()
    seat = GoverningBodyMembership.objects.create(
        ccg=ccg, person=person, title="Clinical Lead", category="gp"
    )
    seat.is_chair = True
    seat.save()
    member = CommitteeMember.objects.create(committee=make_committee(ccg), person=person)
    member.delete()
    Membership.objects.create(user=UserFactory(), ccg=other_ccg, role=Role.VIEWER)  # not 03L's

    found = events(ccg)
    assert {(e.kind, e.change) for e in found} == {
        ("membership", "created"), ("membership", "changed"),
        ("governing-body-seat", "created"), ("governing-body-seat", "changed"),
        ("committee", "created"), ("committee-member", "created"),
        ("committee-member", "deleted"),
    }  # fmt: skip
    chair = only(found, "governing-body-seat", "changed")
    assert chair.record == "Dr Jonathan Wells: Clinical Lead"
    assert [(c["label"], c["old"], c["new"]) for c in chair.changes] == [("Is chair", "No", "Yes")]
    deleted = only(found, "committee-member", "deleted")
    assert deleted.record == "Dr Jonathan Wells (Audit committee)" and deleted.url is None
    assert len(events(ccg, kinds=("membership",))) == 2


# --- Filters --------------------------------------------------------------------------------


def test_filters_by_date_kind_user_and_change(client, ccg, board, manager, risk):
    risks.update_risk(risk, user=manager, expected_revision=1, owner="CFO")
    history = Risk.history.order_by("history_id")
    history.filter(history_type="+").update(history_date=timezone.make_aware(
        dt.datetime(2016, 4, 1, 9, 0)))  # fmt: skip
    history.filter(history_type="~").update(history_date=timezone.make_aware(
        dt.datetime(2016, 5, 2, 14, 0)))  # fmt: skip

    def kinds_changes(**filters):
        return sorted((e.kind, e.change) for e in events(ccg, **filters))

    may = {"since": dt.date(2016, 5, 1), "until": dt.date(2016, 5, 2)}
    assert kinds_changes(**may, kinds=("risk",)) == [("risk", "changed")]
    assert kinds_changes(since=dt.date(2016, 4, 1), until=dt.date(2016, 4, 1),
                         kinds=("risk",)) == [("risk", "created")]  # fmt: skip
    assert kinds_changes(user_id=manager.pk) == [("risk", "changed")]
    assert ("risk", "created") in kinds_changes(system=True)
    assert kinds_changes(change="changed", kinds=("risk",)) == [("risk", "changed")]
    assert kinds_changes(kinds=("meeting",)) == []

    client.force_login(board)
    query = {"since-day": "1", "since-month": "5", "since-year": "2016", "kind": "risk",
             "user": str(manager.pk), "change": "changed"}  # fmt: skip
    page = client.get(audit_url(ccg, **query))
    assert page.status_code == 200
    assert "1 change match these filters" in text_of(page)
    refused = client.get(
        audit_url(
            ccg, kind="nonsense", **{"until-day": "31", "until-month": "2", "until-year": "2016"}
        )
    )
    assert refused.status_code == 400
    assert "Choose a kind of record from the list" in text_of(refused)
    assert "The 'to' date must be a real date" in text_of(refused)


# --- Who sees it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (Role.GOVERNING_BODY, 200),
        (Role.PLANNING_MANAGER, 200),
        (Role.SCRUTINY, 404),
        (Role.VIEWER, 404),
        (Role.ASSURER, 404),
        ("other-gb", 404),
        ("staff", 200),
        ("anonymous", "login"),
    ],
)
def test_who_reads_the_audit_log(client, ccg, other_ccg, who, expected):
    if who == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif who == "other-gb":
        client.force_login(user_with_role(Role.GOVERNING_BODY, other_ccg))
    elif who != "anonymous":
        client.force_login(user_with_role(who, ccg))
    for url in (audit_url(ccg), reverse("ccg-audit-export", args=["03L", "csv"])):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == expected, (who, url)
    overview = client.get(reverse("ccg-detail", args=["03L"]))
    if expected == 200:
        assert 'id="audit-log-link"' in overview.content.decode()
    elif overview.status_code == 200:
        assert 'id="audit-log-link"' not in overview.content.decode()


# --- The export ------------------------------------------------------------------------------


def test_the_csv_export_has_every_row_with_old_and_new_values(client, ccg, board, manager):
    risk = make_risk(ccg, reference="R01", title='=HYPERLINK("http://x")')
    risks.update_risk(risk, user=manager, expected_revision=1, owner="CFO", title="Plain")
    for number in range(2, 62):  # more rows than one page
        make_risk(ccg, reference=f"R{number:02}", title=f"Risk {number}")
    client.force_login(board)

    response = client.get(reverse("ccg-audit-export", args=["03L", "csv"]) + "?kind=risk")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-03L-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(audit.EXPORT_HEADINGS)
    created = [r for r in rows if r["Change"] == "Created"]
    changed = [r for r in rows if r["Change"] == "Changed"]
    assert len(created) == 61 and len(changed) == 2  # a row for each changed field
    by_field = {r["Field"]: (r["Old value"], r["New value"], r["Who"]) for r in changed}
    assert by_field["Owner"] == ("(empty)", "CFO", "Ian Atkinson")
    # The formula guard: the old title is written as text, never as a formula.
    assert by_field["Title"] == ('\'=HYPERLINK("http://x")', "Plain", "Ian Atkinson")

    xlsx = client.get(reverse("ccg-audit-export", args=["03L", "xlsx"]) + "?change=changed")
    assert xlsx.status_code == 200 and xlsx.content[:4] == b"PK\x03\x04"
    assert client.get(reverse("ccg-audit-export", args=["03L", "pdf"])).status_code == 404


# --- Queries --------------------------------------------------------------------------------


def _changes(ccg, user, count: int) -> None:
    """`count` risk changes by `user`, a new role and a governing body seat."""
    risk = make_risk(ccg, reference="R01", title="Risk 0")
    for number in range(1, count + 1):
        risks.update_risk(risk, user=user, expected_revision=number, title=f"Risk {number}")
    user_with_role(Role.VIEWER, ccg)
    GoverningBodyMembership.objects.create(ccg=ccg, title="Lay member", category="lay-other")


def test_a_page_costs_the_same_queries_for_1_change_as_for_30(
    client, ccg, other_ccg, staff_user, django_assert_max_num_queries
):
    _changes(ccg, staff_user, 1)
    _changes(other_ccg, staff_user, 30)
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as one:
        first = client.get(audit_url(ccg))
    assert first.status_code == 200 and "Risk 1" in text_of(first)

    with django_assert_max_num_queries(len(one.captured_queries)):
        thirty = client.get(audit_url(other_ccg))
    assert thirty.status_code == 200
    assert text_of(thirty).count("Risk 29 → changed to Risk 30") == 1
    assert "Risk 0 → changed to Risk 1" in text_of(thirty)  # all 30 on the first page
