"""Hostile text in plans: script and markup typed into titles, sections, statements,
priorities, commitments and actions is shown as text in the pages and in the PDF, and a PDF
build fetches nothing from the addresses that text names."""

from __future__ import annotations

import http.server
import io
import threading
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commissioning.years import FinancialYear
from plans import services
from plans.markdown import render_markdown
from plans.packs.builder import render_pdf
from plans.services.packs import request_build
from priorities.services.content import add_action, add_commitment, add_priority

pytestmark = pytest.mark.django_db


def payload(n: int) -> str:
    return (
        f'<script>alert("xss-{n}")</script><img src=x onerror=alert({n})>'
        f"\"'><svg onload=alert({n})>"
    )


class Elements(HTMLParser):
    """Every element of a page: its tag, its attributes and the text of <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_inert(html: str, where: str) -> None:
    parsed = Elements()
    parsed.feed(html)
    assert not [text for text in parsed.scripts if "xss-" in text], f"{where}: a payload runs"
    for tag, attrs in parsed.tags:
        handlers = {name: value for name, value in attrs.items() if name.startswith("on")}
        assert not handlers, f"{where}: <{tag}> carries {handlers}"
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: an injected <img>"
        assert tag != "svg" or "onload" not in attrs, where


@pytest.fixture
def hostile_plan(ccg, planner):
    plan = services.create_plan(
        user=planner, ccg=ccg, kind="strategic-plan", title="Plan " + payload(1),
        first_year=FinancialYear(2015), last_year=FinancialYear(2018),
        summary=payload(2),
    )  # fmt: skip
    services.add_section(plan, user=planner, title="Section " + payload(3), body=payload(4))
    services.add_statement(plan, user=planner, kind="aim", text=payload(5))
    priority = add_priority(plan, user=planner, title="Priority " + payload(6),
                            objective=payload(7))  # fmt: skip
    commitment = add_commitment(priority, user=planner, text="We will " + payload(8),
                                lead=payload(9))  # fmt: skip
    add_action(commitment, user=planner, text="Action " + payload(10), lead=payload(11))
    return plan


PAGES = ["plan-detail", "plan-sections", "plan-priorities", "plan-on-a-page", "plan-history"]


@pytest.mark.parametrize("name", PAGES)
def test_hostile_text_is_shown_as_text_in_the_plan_pages(client, planner, hostile_plan, name):
    client.force_login(planner)
    response = client.get(reverse(name, kwargs={"pk": hostile_plan.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, name)
    assert "&lt;script&gt;alert(" in html  # shown, escaped, not dropped


def test_hostile_text_is_shown_as_text_in_the_list_of_plans(client, planner, hostile_plan):
    client.force_login(planner)
    html = client.get(reverse("ccg-plans", kwargs={"ods": "03L"})).content.decode()
    assert_inert(html, "ccg-plans")
    assert "Plan &lt;script&gt;alert(" in html


def test_hostile_text_is_literal_text_in_the_plan_document(
    hostile_plan, planner, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(planner, kind="plan-document", plan=hostile_plan)
    build.refresh_from_db()
    assert build.status == "done", build.error
    with build.file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for n in (1, 3, 4, 6, 8, 10):  # titles, Markdown body and items, read back as typed
        assert f'alert("xss-{n}")' in text, n
    assert b"/JavaScript" not in data and b"/JS " not in data and b"/JS(" not in data
    assert b"/Launch" not in data


MARKDOWN_CASES = [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    '<p style="color:red">x</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox)",
    "![tracker](https://evil.example/pixel.png)",
    "![tracker](//evil.example/pixel.png)",
    '<img src="https://evil.example/p.png">',
    '<div style="background:url(https://evil.example/p.png)">x</div>',
    '<a href="https://evil.example" onclick="alert(1)">x</a>',
    "| a |\n|--:|\n| 1 |",
]
FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "link", "meta", "img", "svg"}


@pytest.mark.parametrize("source", MARKDOWN_CASES)
def test_markdown_cannot_inject_script_styles_or_remote_resources(source):
    parsed = Elements()
    parsed.feed(str(render_markdown(source)))
    for tag, attrs in parsed.tags:
        assert tag not in FORBIDDEN_TAGS, (source, tag)
        assert not [name for name in attrs if name.startswith("on")], (source, attrs)
        assert "style" not in attrs, (source, tag, attrs)  # the CSP would refuse it anyway
        href = attrs.get("href", "").strip().lower()
        assert not href or href.split(":")[0] in ("http", "https", "mailto"), (source, href)


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_weasyprint_fetches_nothing_that_html_names(recorder):
    # Even HTML that the sanitiser would never let through fetches nothing when rendered.
    html = f"""<html><head><link rel="stylesheet" href="{recorder}/a.css">
    <style>@import url("{recorder}/b.css"); body {{ background: url("{recorder}/c.png") }}
    @font-face {{ font-family: x; src: url("{recorder}/d.woff") }}</style></head>
    <body><img src="{recorder}/e.png"><object data="{recorder}/f"></object>
    <iframe src="{recorder}/g"></iframe><a href="{recorder}/h">link</a>
    <img src="file:///etc/passwd"></body></html>"""
    pdf, pages = render_pdf(html)
    assert pdf.startswith(b"%PDF") and pages >= 1
    assert Recorder.hits == []


def test_a_plan_document_fetches_nothing_its_sections_name(
    recorder, ccg, planner, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    plan = services.create_plan(
        user=planner, ccg=ccg, kind="strategic-plan", title="Plan with links",
        first_year=FinancialYear(2015), last_year=FinancialYear(2018),
    )  # fmt: skip
    body = (
        f"![pixel]({recorder}/1.png)\n\n[a link]({recorder}/2)\n\n"
        f'<img src="{recorder}/3.png">\n\n<div style="background:url({recorder}/4.png)">x</div>'
    )
    services.add_section(plan, user=planner, title="Links", body=body)
    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(planner, kind="plan-document", plan=plan)
    build.refresh_from_db()
    assert build.status == "done", build.error
    assert Recorder.hits == []
