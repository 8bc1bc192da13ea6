"""The HTML of a pack: its print template, the plan's own sections and the registered ones.

Print templates live in templates/print/: A4 portrait with a running header and footer
("NHS Rotherham CCG — Commissioning Plan 2015-19 — Page 3 of 24") and a contents page whose
page numbers WeasyPrint fills in (`target-counter`); the plan on a page is one A3 landscape
page. Everything is rendered with autoescaping; Markdown goes through plans.markdown (nh3),
and the PDF renderer fetches nothing but `data:` URLs, so user content cannot pull in remote
resources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from markupsafe import Markup

from ..markdown import render_markdown
from ..models import PackKind, StatementKind
from .registry import PackContext, sections_for

TEMPLATES = {
    PackKind.PLAN_DOCUMENT: "print/plan_document.jinja",
    PackKind.PLAN_ON_A_PAGE: "print/plan_on_a_page.jinja",
    PackKind.ANNUAL_REVIEW: "print/annual_review.jinja",
    PackKind.GOVERNING_BODY: "print/governing_body.jinja",
}
DOCUMENT_TITLES = {
    PackKind.PLAN_DOCUMENT: "{plan}",
    PackKind.PLAN_ON_A_PAGE: "{plan}: plan on a page",
    PackKind.ANNUAL_REVIEW: "Annual review of {plan}",
    PackKind.GOVERNING_BODY: "{subject}",
}


@dataclass(frozen=True)
class RenderedSection:
    code: str
    title: str
    html: Markup

    @property
    def anchor(self) -> str:
        return f"section-{self.code}"


def document_title(kind: str, plan=None, subject_title: str = "") -> str:
    return DOCUMENT_TITLES[kind].format(plan=plan.title if plan else "", subject=subject_title)


def plan_sections(plan) -> list[RenderedSection]:
    """The plan's own content: its statements (vision, mission, aims ...) and sections."""
    found = []
    statements = list(plan.statements.order_by("kind", "order", "pk"))
    if plan.vision or plan.mission or statements:
        html = render_to_string("print/_statements.jinja", {
            "plan": plan,
            "groups": [(label, [s for s in statements if s.kind == kind])
                       for kind, label in StatementKind.choices],
        })  # fmt: skip
        found.append(RenderedSection("statements", "Vision, mission and aims", Markup(html)))  # noqa: S704 - autoescaped template
    for section in plan.sections.order_by("order", "pk"):
        found.append(RenderedSection(f"plan-section-{section.pk}", section.title,
                                     render_markdown(section.body)))  # fmt: skip
    return found


def registered_sections(context: PackContext) -> list[RenderedSection]:
    found = []
    for section in sections_for(context.kind):
        html = section.render(context)
        if html:
            found.append(RenderedSection(section.code, section.title, Markup(html)))  # noqa: S704 - sections render autoescaped templates
    return found


def _date_of(context: PackContext) -> dt.date:
    """The document's date: the plan's last change, the meeting's date, else today. Never
    the time of the build, so the same inputs give the same HTML (and reuse the file)."""
    if context.plan is not None:
        return timezone.localdate(context.plan.updated_at)
    day = getattr(context.subject, "date", None)
    return day if isinstance(day, dt.date) else timezone.localdate()


def document_html(context: PackContext, *, title: str, as_of: dt.date | None = None,
                  on_step: Callable[[str, int], None] | None = None) -> str:  # fmt: skip
    """The whole document as HTML. `on_step(step, percent)` reports progress."""
    step = on_step or (lambda _step, _percent: None)
    step("Collecting the plan's sections", 10)
    sections = plan_sections(context.plan) if context.plan and context.kind in (
        PackKind.PLAN_DOCUMENT, PackKind.PLAN_ON_A_PAGE) else []  # fmt: skip
    step("Collecting sections from priorities, finance and governance", 20)
    sections += registered_sections(context)
    step("Writing the document", 30)
    plan = context.plan
    return render_to_string(TEMPLATES[context.kind], {
        "title": title,
        "ccg": context.ccg,
        "plan": plan,
        "subject": context.subject,
        "kind": context.kind,
        "sections": sections,
        "as_of": as_of or _date_of(context),
    })  # fmt: skip
