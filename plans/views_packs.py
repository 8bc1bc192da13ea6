"""PDF pack pages: a plan's Documents tab (build a plan document, plan on a page or annual
review pack, and the builds so far), a build's status page with its progress (polled by htmx
when JavaScript runs, a "Check again" link when it does not), downloads, and publishing.

Builds of meetings start from the meeting page, which posts to `pack-start` with the meeting.
Scrutiny members, and anyone for a public plan, see only published packs of published plans.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .errors import InvalidMove, NotAllowed
from .models import PLAN_KINDS, PackBuild, PackKind, PackStatus, Plan
from .packs.registry import subject_by_label, subject_for_kind
from .page_context import SignInFirst, plan_for, plan_page_context, sign_in_first
from .services import packs as services
from .views import refused

KIND_HINTS = {
    PackKind.PLAN_DOCUMENT: "The whole plan for publication: cover, contents, sections, "
    "priorities with commitments and actions, programmes, finance and standards.",
    PackKind.PLAN_ON_A_PAGE: "One A3 landscape page: the vision, aims and priorities.",
    PackKind.ANNUAL_REVIEW: "For the scrutiny committee's annual review: the refresh, delivery "
    "by priority, money and QIPP, standards, top risks, consultation, resolutions and actions.",
}


def _builds(request):
    return PackBuild.objects.for_user(request.user).select_related("requested_by", "plan")


def _build_for(request, pk: int) -> PackBuild:
    build = _builds(request).select_related("ccg").filter(pk=pk).first()
    if build is None:
        if not request.user.is_authenticated:
            raise SignInFirst
        raise Http404("No pack here, or you cannot see it")
    return build


@require_http_methods(["GET", "POST"])
@sign_in_first
def plan_packs(request, pk: int):
    plan = plan_for(request, pk)
    refusal = services.build_refusal(request.user, plan.ccg) if request.user.is_authenticated \
        else "Sign in to build documents."  # fmt: skip
    if request.method == "POST":
        if refusal:
            return refused(request, plan, refusal, by_role=True, title="You cannot build this")
        kind = request.POST.get("kind", "")
        try:
            build = services.request_build(request.user, kind=kind, plan=plan,
                                           force=request.POST.get("force") == "yes")  # fmt: skip
        except NotAllowed as error:
            return refused(request, plan, error.message, by_role=True)
        except InvalidMove as error:
            messages.error(request, error.message)
            return redirect("plan-packs", pk=plan.pk)
        return redirect("pack-detail", pk=build.pk)
    context = plan_page_context(request, plan, "documents")
    context.update({
        "title": "Documents",
        "builds": list(_builds(request).filter(plan=plan)[:30]),
        "kinds": [(kind, PackKind(kind).label, KIND_HINTS[kind]) for kind in PackKind
                  if kind in PLAN_KINDS],
        "build_refusal": refusal,
        "can_publish": request.user.is_authenticated
        and services.publish_refusal(request.user, PackBuild(ccg=plan.ccg)) is None,
    })  # fmt: skip
    return render(request, "plans/packs/plan_packs.jinja", context)


@login_required
@require_POST
def pack_start(request):
    """Start a build of a registered subject (a meeting): `kind` and the subject's field."""
    kind = request.POST.get("kind", "")
    registered = subject_for_kind(kind)
    raw = request.POST.get(registered.api_field, "") if registered else ""
    subject = registered.lookup(request.user, int(raw)) if registered and raw.isdigit() else None
    if subject is None:
        raise Http404("Nothing to build that for, or you cannot see it")
    try:
        build = services.request_build(request.user, kind=kind, subject=subject,
                                       force=request.POST.get("force") == "yes")  # fmt: skip
    except (NotAllowed, InvalidMove) as error:
        return render(request, "plans/refused_ccg.jinja",
                      {"refusal": error.message, "title": "You cannot build this"},
                      status=403 if isinstance(error, NotAllowed) else 409)  # fmt: skip
    return redirect("pack-detail", pk=build.pk)


def _back(build: PackBuild) -> tuple[str, str]:
    if build.plan_id:
        return reverse("plan-packs", kwargs={"pk": build.plan_id}), "Back to the plan's documents"
    registered = subject_by_label(build.subject_type.app_label + "." + build.subject_type.model) \
        if build.subject_type_id else None  # fmt: skip
    url = getattr(registered, "url_of", None)
    return (url(build.subject) if url and build.subject else "/"), "Back"


@require_GET
@sign_in_first
def pack_detail(request, pk: int):
    build = _build_for(request, pk)
    back_url, back_text = _back(build)
    context = {"build": build, "title": build.title or build.get_kind_display(),
               "current_ccg": build.ccg if request.user.is_authenticated else None,
               "back_url": back_url, "back_text": back_text,
               "can_publish": request.user.is_authenticated
               and services.publish_refusal(request.user, build) is None,
               "publish_state_refusal": services.publish_state_refusal(build)}  # fmt: skip
    if request.headers.get("HX-Request"):
        return render(request, "plans/packs/_progress.jinja", context)
    return render(request, "plans/packs/pack_detail.jinja", context)


@require_GET
@sign_in_first
def pack_file(request, pk: int):
    build = _build_for(request, pk)
    if build.status != PackStatus.DONE or not build.file:
        raise Http404("This pack has no file yet")
    handle = services.open_file(build)
    if handle is None:
        response = refused(request, None, services.FILE_MISSING, by_role=False,
                           title="The file of this pack is missing")  # fmt: skip
        response.status_code = 404
        return response
    response = FileResponse(handle, content_type="application/pdf",
                            as_attachment=request.GET.get("inline") != "1",
                            filename=build.download_name)  # fmt: skip
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
@require_POST
def pack_publish(request, pk: int):
    build = _build_for(request, pk)
    published = request.POST.get("published", "yes") == "yes"
    try:
        services.set_published(request.user, build, published)
    except (NotAllowed, InvalidMove) as error:
        plan = Plan.objects.for_user(request.user).filter(pk=build.plan_id).first()
        return refused(request, plan, error.message, by_role=isinstance(error, NotAllowed),
                       title="You cannot publish this")  # fmt: skip
    messages.success(request, "Pack published: scrutiny members can now download it."
                     if published else "Pack withdrawn from publication.")  # fmt: skip
    return redirect("pack-detail", pk=build.pk)
