"""The main pages of the demo world, for the security tests (CSP and CSRF), plain and browser.

`load_demo()` loads the seed documents' CCGs, plans, priorities, finance and governance; the
pages are NHS Rotherham CCG's (03L) as its planning manager sees them.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from commissioning.demo.loader import load_demo

ODS = "03L"
PLANNER = "planner.rotherham"
DEMO_PASSWORD = "demo-password"


def demo_world():
    """Load the demo; return the planning manager of 03L (password DEMO_PASSWORD)."""
    from django.contrib.auth import get_user_model

    load_demo(password=DEMO_PASSWORD)
    return get_user_model().objects.get(username=PLANNER)


def main_pages() -> dict[str, str]:
    """name -> path: the CCG overview, a plan and its tabs, dashboard and a standard's
    drill-down, QIPP, finance, risks, committees and a meeting, the account page."""
    from governance.models import Meeting, Standard
    from plans.models import Plan

    plan = Plan.objects.filter(ccg__ods_code=ODS).order_by("pk").first()
    meeting = Meeting.objects.filter(committee__ccg__ods_code=ODS).order_by("pk").first()
    measured = Standard.objects.filter(measurements__ccg__ods_code=ODS).distinct()
    standard = measured.order_by("code").first() or Standard.objects.order_by("code").first()
    pages = {
        "home": reverse("home"),
        "ccg-detail": reverse("ccg-detail", kwargs={"ods": ODS}),
        "ccg-plans": reverse("ccg-plans", kwargs={"ods": ODS}),
        "ccg-dashboard": reverse("ccg-dashboard", kwargs={"ods": ODS}),
        "ccg-qipp": reverse("ccg-qipp", kwargs={"ods": ODS}),
        "ccg-finance": reverse("ccg-finance", kwargs={"ods": ODS}),
        "ccg-risks": reverse("ccg-risks", kwargs={"ods": ODS}),
        "ccg-risk-heat-map": reverse("ccg-risk-heat-map", kwargs={"ods": ODS}),
        "ccg-committees": reverse("ccg-committees", kwargs={"ods": ODS}),
        "account": reverse("account"),
    }
    assert plan is not None, "the demo has no plan for 03L"
    for tab in (
        "plan-detail",
        "plan-sections",
        "plan-priorities",
        "plan-delivery",
        "plan-milestones",
        "plan-consultation",
        "plan-packs",
        "plan-versions",
        "plan-history",
        "plan-on-a-page",
    ):
        pages[tab] = reverse(tab, kwargs={"pk": plan.pk})
    if meeting is not None:
        pages["meeting-detail"] = reverse("meeting-detail", kwargs={"ods": ODS, "pk": meeting.pk})
    if standard is not None:
        pages["ccg-standard"] = reverse("ccg-standard", kwargs={"ods": ODS, "code": standard.code})
    return pages


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' refuses, and the POST forms."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.post_forms: list[dict] = []
        self._in_script = False
        self._form = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} href=javascript:...>")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            data_block = kind in {"application/json", "application/ld+json"}
            if "src" not in attributes and not data_block:
                self.problems.append("inline <script>")
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._form = {"action": attributes.get("action"), "csrf": False}
            self.post_forms.append(self._form)
        if (
            tag == "input"
            and self._form is not None
            and attributes.get("name") == "csrfmiddlewaretoken"
            and attributes.get("value")
        ):
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def audit(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser
