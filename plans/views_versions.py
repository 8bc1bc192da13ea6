"""A plan's versions: the versions tab, one frozen version, and the diff between any two
versions, the plan as it is now, or (for a refresh) the plan it refreshes."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import presenters, snapshots
from .diffing import UNCHANGED, diff_snapshots
from .markdown import render_markdown
from .models import Plan, PlanVersion
from .page_context import plan_for, plan_page_context, sign_in_first
from .services.lifecycle import baseline_for_refresh

CURRENT, PARENT = "current", "parent"


def _versions(request, plan):
    return PlanVersion.objects.for_user(request.user).for_plan(plan)


def _parent_visible(request, plan) -> bool:
    return bool(
        plan.refreshes_id
        and Plan.objects.for_user(request.user).filter(pk=plan.refreshes_id).exists()
    )


def compare_choices(request, plan, versions) -> list[tuple[str, str]]:
    """What the compare form offers: the plan it refreshes, each version, the plan now."""
    choices = []
    if _parent_visible(request, plan):
        choices.append((PARENT, f"The plan it refreshes: {plan.refreshes.title}"))
    for version in versions:
        choices.append(
            (
                str(version.number),
                f"{presenters.version_title(version)}: {version.get_to_state_display().lower()}",
            )
        )
    choices.append((CURRENT, f"The plan as it is now ({plan.version_label})"))
    return choices


def _select_items(choices, selected: str) -> list[dict]:
    return [{"value": v, "text": t, "selected": v == selected} for v, t in choices]


@require_GET
@sign_in_first
def plan_versions(request, pk: int):
    plan = plan_for(request, pk)
    versions = list(_versions(request, plan).select_related("created_by").order_by("-number"))
    choices = compare_choices(request, plan, sorted(versions, key=lambda v: v.number))
    default_from = (
        PARENT
        if _parent_visible(request, plan)
        else (str(versions[0].number) if versions else CURRENT)
    )
    context = plan_page_context(request, plan, "versions")
    context.update(
        {
            "versions": versions,
            "from_items": _select_items(choices, default_from),
            "to_items": _select_items(choices, CURRENT),
            "title": f"Versions – {plan.title}",
        }
    )
    return render(request, "plans/versions.jinja", context)


def content_context(content: dict) -> dict:
    """A snapshot laid out for a page: plan fields, statements by kind, sections rendered."""
    collections = content.get("collections", {})
    sections = sorted(collections.get("sections", []), key=lambda s: s.get("order", 0))
    statements = sorted(
        collections.get("statements", []), key=lambda s: (s.get("kind"), s.get("order", 0))
    )
    return {
        "fields": content.get("plan", {}),
        "statement_blocks": presenters.group_statements(statements),
        "sections": [{"item": s, "html": render_markdown(s.get("body", ""))} for s in sections],
        "others": presenters.other_collections(content),
    }


@require_GET
@sign_in_first
def plan_version(request, pk: int, number: int):
    plan = plan_for(request, pk)
    version = get_object_or_404(
        _versions(request, plan).select_related("created_by"), number=number
    )
    context = plan_page_context(request, plan, "versions")
    context.update(content_context(version.content))
    context.update(
        {
            "version": version,
            "kind_label": presenters.kind_label(version.content.get("plan", {}).get("kind", "")),
            "title": f"{presenters.version_title(version)} – {plan.title}",
        }
    )
    return render(request, "plans/version.jinja", context)


def _side(request, plan, value: str) -> tuple[dict, str]:
    """One side of the diff: (snapshot, label) for `current`, `parent` or a version number."""
    if value == CURRENT:
        return snapshots.take(plan), f"The plan as it is now ({plan.version_label})"
    if value == PARENT:
        baseline = baseline_for_refresh(plan) if _parent_visible(request, plan) else None
        if baseline is None:
            raise Http404("This plan does not refresh a plan you can see")
        return baseline
    if not value.isdigit():
        raise Http404("Compare versions by number, 'current' or 'parent'")
    version = _versions(request, plan).filter(number=int(value)).first()
    if version is None:
        raise Http404("No such version of this plan")
    return version.content, presenters.version_title(version)


@require_GET
@sign_in_first
def plan_diff(request, pk: int):
    plan = plan_for(request, pk)
    versions = list(_versions(request, plan).order_by("number"))
    if "from" in request.GET:
        from_value = request.GET["from"]
    elif _parent_visible(request, plan):
        from_value = PARENT
    else:
        from_value = str(versions[-1].number) if versions else CURRENT
    to_value = request.GET.get("to", CURRENT)
    old, old_label = _side(request, plan, from_value)
    new, new_label = _side(request, plan, to_value)
    diff = diff_snapshots(old, new, old_label=old_label, new_label=new_label)
    view = "table" if request.GET.get("view") == "table" else "changes"
    choices = compare_choices(request, plan, versions)
    context = plan_page_context(request, plan, "versions")
    context.update(
        {
            "diff": diff,
            "from_value": from_value,
            "to_value": to_value,
            "from_items": _select_items(choices, from_value),
            "to_items": _select_items(choices, to_value),
            "view": view,
            "summary": presenters.diff_summary(diff),
            "words_html": presenters.words_html,
            "item_plain": presenters.item_plain,
            "status_tags": presenters.STATUS_TAGS,
            "unchanged": UNCHANGED,
            "table": (
                presenters.scrutiny_table(plan, diff, against_parent=from_value == PARENT)
                if view == "table"
                else None
            ),  # fmt: skip
            "title": f"Compare versions – {plan.title}",
        }
    )
    return render(request, "plans/diff.jinja", context)
