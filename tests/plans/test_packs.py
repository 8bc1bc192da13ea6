"""PDF packs of plans, built eagerly: the build record, the PDF read back, reuse of unchanged
inputs, failures, access to builds and files, the pages and the API."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commissioning.access import Role
from plans import services
from plans.errors import InvalidMove, NotAllowed
from plans.models import PackBuild, PackStatus
from plans.packs import registry
from plans.packs.builder import fetcher
from plans.services.packs import request_build, set_published
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def build_now(django_capture_on_commit_callbacks):
    """Run the builds queued inside the block (the embedded default runs tasks in-process)."""

    def build(user, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            made = request_build(user, **kwargs)
        made.refresh_from_db()
        return made

    return build


def pdf_text(build) -> tuple[str, PdfReader]:
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_plan_document_is_built_and_reads_back(draft_plan, planner, build_now):
    build = build_now(planner, kind="plan-document", plan=draft_plan)
    assert build.status == PackStatus.DONE and build.progress == 100 and build.step == "Done"
    assert build.attempts == 1 and build.started_at and build.finished_at
    assert len(build.sha256) == 64 and build.size > 1000 and build.pdf_seconds > 0
    text, reader = pdf_text(build)
    assert build.page_count == len(reader.pages) == 4
    assert "NHS Rotherham CCG" in text and "Commissioning Plan 2015-19" in text
    assert "Draft 1 (Draft)" in text and "Period 2015-19" in text
    assert "Four year investment plan" in text and "Unscheduled Care" in text
    first, contents = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Page 1 of" not in first  # the cover carries no footer
    assert "NHS Rotherham CCG — Commissioning Plan 2015-19 — Page 2 of 4" in contents
    # The contents page gives each section's page number.
    assert "Vision, mission and aims" in contents and contents.rstrip().split("\n")[1].endswith("3")
    assert "Primary Care" in contents and "4" in contents
    assert reader.metadata.title == "Commissioning Plan 2015-19"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for accessibility


def test_the_same_inputs_reuse_the_file_unless_forced(draft_plan, planner, build_now):
    first = build_now(planner, kind="plan-document", plan=draft_plan)
    again = build_now(planner, kind="plan-document", plan=draft_plan)
    assert again.status == PackStatus.DONE and again.reused_from_id == first.pk
    assert (again.file.name, again.sha256, again.page_count) == (
        first.file.name, first.sha256, first.page_count)  # fmt: skip
    forced = build_now(planner, kind="plan-document", plan=draft_plan, force=True)
    assert forced.reused_from_id is None and forced.pdf_seconds > 0
    services.add_section(draft_plan, user=planner, title="Finance", body="New money")
    changed = build_now(planner, kind="plan-document", plan=draft_plan)
    assert changed.reused_from_id is None and changed.input_hash != first.input_hash
    assert "New money" in pdf_text(changed)[0]


def test_running_a_finished_build_again_changes_nothing(draft_plan, planner, build_now):
    from plans.packs.builder import run_build

    build = build_now(planner, kind="plan-document", plan=draft_plan)
    again = run_build(build.pk)
    assert (again.status, again.attempts, again.file.name) == ("done", 1, build.file.name)


def test_a_build_found_running_is_run_again(draft_plan, planner, build_now):
    """A worker killed mid-build leaves its build "running": the redelivered task finishes it."""
    from plans.packs.builder import run_build

    build = build_now(planner, kind="plan-document", plan=draft_plan)
    PackBuild.objects.filter(pk=build.pk).update(status="running", progress=40, file="",
                                                 sha256="")  # fmt: skip
    finished = run_build(build.pk)
    assert finished.status == "done" and finished.attempts == 2 and finished.file


def test_a_failing_section_fails_the_build_with_its_reason(draft_plan, planner, build_now):
    def broken(context):
        raise RuntimeError("the figures could not be read")

    registry.register_section(registry.PackSection("broken", "Broken", frozenset(
        {"plan-document"}), 99, broken))  # fmt: skip
    try:
        build = build_now(planner, kind="plan-document", plan=draft_plan)
    finally:
        registry._SECTIONS.pop("broken")
    assert build.status == PackStatus.FAILED
    assert "the figures could not be read" in build.error and not build.file


def test_the_pdf_renderer_fetches_nothing_but_data_urls():
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher().fetch("https://example.com/tracker.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher().fetch("file:///etc/passwd")


def test_user_text_is_escaped_in_the_pdf(ccg, planner, build_now):
    plan = services.create_plan(user=planner, ccg=ccg, kind="delivery-plan",
                                title="<b>Plan</b> & <script>x</script>",
                                first_year="2013/14", last_year="2013/14")  # fmt: skip
    build = build_now(planner, kind="plan-document", plan=plan)
    assert "<b>Plan</b> & <script>x</script>" in pdf_text(build)[0]


@pytest.mark.parametrize("role", [Role.SCRUTINY, Role.VIEWER])
def test_only_planning_managers_and_governing_body_members_build(draft_plan, role):
    with pytest.raises(NotAllowed):
        request_build(user_with_role(role, draft_plan.ccg), kind="plan-document",
                      plan=draft_plan)  # fmt: skip


def test_a_board_member_builds(draft_plan, board, build_now):
    assert build_now(board, kind="plan-document", plan=draft_plan).status == "done"


def test_a_plan_kind_needs_a_plan_and_kinds_are_checked(planner):
    with pytest.raises(InvalidMove) as error:
        request_build(planner, kind="plan-document")
    assert error.value.field == "plan"
    with pytest.raises(InvalidMove) as error:
        request_build(planner, kind="minutes")
    assert error.value.field == "kind"


def test_scrutiny_members_see_only_published_packs_of_published_plans(
    published_plan, planner, scrutiny, build_now, client
):
    build = build_now(planner, kind="plan-document", plan=published_plan)
    client.force_login(scrutiny)
    assert client.get(reverse("pack-detail", args=[build.pk])).status_code == 404
    assert client.get(reverse("pack-file", args=[build.pk])).status_code == 404
    with pytest.raises(NotAllowed):
        set_published(scrutiny, build)
    set_published(planner, build)
    response = client.get(reverse("pack-file", args=[build.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_pack_of_an_unpublished_plan_cannot_be_published(draft_plan, planner, build_now):
    build = build_now(planner, kind="plan-document", plan=draft_plan)
    with pytest.raises(InvalidMove, match="published plan"):
        set_published(planner, build)


def test_the_public_download_published_packs_of_public_plans(published_plan, planner,
                                                             build_now, client):  # fmt: skip
    build = build_now(planner, kind="plan-document", plan=published_plan)
    set_published(planner, build)
    hidden = client.get(reverse("pack-file", args=[build.pk]))  # not public: sign in first
    assert hidden.status_code == 302 and hidden["Location"].startswith(reverse("login"))
    type(published_plan).objects.filter(pk=published_plan.pk).update(is_public=True)
    assert client.get(reverse("pack-file", args=[build.pk])).status_code == 200


def test_other_ccgs_do_not_see_builds(draft_plan, planner, other_planner, build_now, client):
    build = build_now(planner, kind="plan-document", plan=draft_plan)
    client.force_login(other_planner)
    assert client.get(reverse("pack-detail", args=[build.pk])).status_code == 404
    assert client.get(f"/api/v1/packs/{build.pk}/").status_code == 404


# --- Pages ------------------------------------------------------------------------------------


def test_the_documents_tab_starts_a_build_and_shows_its_progress(
    draft_plan, planner, client, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    page = client.get(reverse("plan-packs", args=[draft_plan.pk]))
    assert page.status_code == 200 and "Build PDF" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plan-packs", args=[draft_plan.pk]),
                               {"kind": "plan-document"})  # fmt: skip
    build = PackBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/packs/{build.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in detail and "4 pages" in detail
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="pack-progress"' in fragment and "hx-trigger" not in fragment  # done: no polling


def test_a_queued_build_polls_for_progress(draft_plan, planner, client):
    client.force_login(planner)
    client.post(reverse("plan-packs", args=[draft_plan.pk]), {"kind": "plan-on-a-page"})
    build = PackBuild.objects.get()  # on_commit never ran: still queued
    fragment = client.get(reverse("pack-detail", args=[build.pk]),
                          HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert 'hx-trigger="every 2s"' in fragment and "Check again" in fragment
    assert 'value="0"' in fragment


def test_scrutiny_members_are_not_offered_builds(published_plan, scrutiny, client):
    client.force_login(scrutiny)
    page = client.get(reverse("plan-packs", args=[published_plan.pk])).content.decode()
    assert "Build PDF" not in page
    refused = client.post(reverse("plan-packs", args=[published_plan.pk]),
                          {"kind": "plan-document"})  # fmt: skip
    assert refused.status_code == 403 and not PackBuild.objects.exists()


# --- API --------------------------------------------------------------------------------------


def test_the_api_starts_a_build_reports_it_and_serves_the_file(
    draft_plan, planner, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(planner)
    with django_capture_on_commit_callbacks(execute=True):
        body = {"kind": "plan-document", "plan": draft_plan.pk}
        started = api_client.post("/api/v1/packs/", body, format="json")
    assert started.status_code == 202, started.content
    build_id = started.json()["id"]
    status = api_client.get(f"/api/v1/packs/{build_id}/").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["page_count"] == 4
    assert status["ccg"] == "03L" and status["file_url"].endswith(f"/packs/{build_id}/file/")
    pdf = api_client.get(f"/api/v1/packs/{build_id}/file/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    listing = api_client.get("/api/v1/packs/", {"ccg": "03L", "kind": "plan-document"}).json()
    assert listing["count"] == 1


def test_the_api_refuses_bad_requests_with_reasons(draft_plan, planner, scrutiny, api_client):
    api_client.force_authenticate(planner)
    missing = api_client.post("/api/v1/packs/", {"kind": "plan-document"}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "plan"
    unknown = api_client.post("/api/v1/packs/", {"kind": "minutes", "plan": draft_plan.pk},
                              format="json")  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    queued = api_client.post("/api/v1/packs/", {"kind": "plan-document", "plan": draft_plan.pk},
                             format="json").json()  # fmt: skip
    not_ready = api_client.get(f"/api/v1/packs/{queued['id']}/file/")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "not-ready"
    api_client.force_authenticate(scrutiny)
    assert (
        api_client.post(
            "/api/v1/packs/", {"kind": "plan-document", "plan": draft_plan.pk}, format="json"
        ).status_code
        == 404
    )  # a draft they cannot read


def test_the_documents_tab_can_force_a_new_build(draft_plan, planner, client,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(planner)
    url = reverse("plan-packs", args=[draft_plan.pk])
    assert 'name="force"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "plan-document"})
        client.post(url, {"kind": "plan-document"})
        client.post(url, {"kind": "plan-document", "force": "yes"})
    first, reused, forced = PackBuild.objects.order_by("pk")
    assert reused.reused_from_id == first.pk and not reused.forced
    assert forced.forced and forced.reused_from_id is None and forced.status == "done"


def test_a_pack_whose_file_storage_lost_is_a_404_with_a_reason(
    draft_plan, planner, build_now, client, api_client, caplog
):
    # Given a finished pack whose PDF is no longer in storage (restored from an older backup)
    build = build_now(planner, kind="plan-document", plan=draft_plan)
    build.file.storage.delete(build.file.name)
    # Then the page and the API say so, with a 404 rather than an error, and it is logged
    client.force_login(planner)
    page = client.get(reverse("pack-file", args=[build.pk]))
    assert page.status_code == 404 and "missing from storage" in page.content.decode()
    api_client.force_authenticate(planner)
    answer = api_client.get(f"/api/v1/packs/{build.pk}/file/")
    assert answer.status_code == 404 and answer.json()["code"] == "file-missing"
    assert f"Pack {build.pk} is done but its file" in caplog.text
