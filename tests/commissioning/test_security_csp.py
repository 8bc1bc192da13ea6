"""Content-Security-Policy: on every page, without 'unsafe-inline' or 'unsafe-eval', and
pages that need neither (no inline script, event handler, style attribute or <style>).

The browser proves it in tests/system/test_csp.py; these read headers, templates and the
rendered HTML of the demo's main pages. The API docs (Swagger UI) run under the same policy:
drf-spectacular's split view serves its start-up script as a file.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.commissioning.security_pages import audit, demo_world, main_pages
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
# PDFs: WeasyPrint renders the print templates, no browser, so no CSP applies to them.
PAGE_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.jinja") if "print" not in p.parts)


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    result = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def assert_strict(response) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], policy
    assert policy["style-src"] == ["'self'"], policy
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    text = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in text and "unsafe-eval" not in text


@pytest.fixture
def demo(db):
    return demo_world(), main_pages()


@pytest.fixture
def planner_client(demo):
    client = Client()
    client.force_login(demo[0])
    return client


def test_the_sign_in_page_has_the_strict_policy(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_strict(response)
    assert audit(response.content.decode()).problems == []


def test_every_main_page_has_the_policy_and_no_inline_code(demo, planner_client):
    pages = demo[1]
    assert len(pages) >= 20
    problems = {}
    for name, path in pages.items():
        response = planner_client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        assert_strict(response)
        found = audit(response.content.decode()).problems
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}


def test_not_found_admin_and_api_answers_carry_the_policy_too(db):
    # (/healthz and /readyz answer before the middleware stack: JSON for probes, no page.)
    staff = UserFactory(username="staff.csp", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    for path, status in [
        ("/no-such-page/", 404),
        ("/admin/", 200),
        ("/api/v1/", 200),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert_strict(response)


def test_the_api_docs_page_works_under_the_same_policy(db):
    client = Client()
    client.force_login(UserFactory(username="docs.reader"))
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert_strict(page)
    html = page.content.decode()
    assert audit(html).problems == []
    # Its start-up script is a file of the same origin, and it points at the schema.
    init = re.search(r'<script src="([^"]*\?script=)"', html)
    assert init, html
    script = client.get(init.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "/api/schema/" in script.content.decode()
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_page_templates_have_no_inline_script_or_style(path):
    source = path.read_text()
    # Jinja comments may talk about <script> and <style>: drop them first.
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    offenders = []
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source):
        offenders.append("inline <script>")
    if re.search(r"<style\b", source):
        offenders.append("<style> block")
    if re.search(r"\sstyle\s*=", source):
        offenders.append("style attribute")
    if re.search(r"\son[a-z]+\s*=", source):
        offenders.append("event handler attribute")
    if re.search(r"javascript:", source, flags=re.I):
        offenders.append("javascript: URL")
    assert offenders == []


CHART_SOURCES = [
    *(ROOT / "commissioning" / "charts").glob("*.py"),
    *(ROOT / "governance" / "charts").glob("*.py"),
    ROOT / "finance" / "charts.py",
]


@pytest.mark.parametrize("path", CHART_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_chart_renderers_write_no_style_attributes(path):
    """SVG inline in a page is under style-src too: presentation attributes and classes."""
    source = path.read_text()
    assert not re.search(r"\bstyle\s*=|<style", source)


def test_our_scripts_set_no_inline_styles():
    for path in (ROOT / "static" / "app").glob("*.js"):
        source = path.read_text()
        assert 'setAttribute("style"' not in source and "setAttribute('style'" not in source
        assert "eval(" not in source and "new Function" not in source


def test_the_page_template_is_nhsuk_frontend_jinja_s_less_its_inline_script():
    """templates/layout/nhsuk_page.jinja is the package's page template with one change."""
    import nhsuk_frontend_jinja

    package = Path(nhsuk_frontend_jinja.__file__).parent / "templates" / "nhsuk" / "template.jinja"
    theirs = package.read_text()
    ours = (TEMPLATES / "layout" / "nhsuk_page.jinja").read_text()
    inline = re.search(r"\n\s*<script[^>]*>document\.body\.className[^\n]*</script>", theirs)
    assert inline, "nhsuk-frontend-jinja's template changed: compare it with ours"
    ours_body = re.sub(r"^\{#-.*?-#\}\n", "", ours, count=1, flags=re.S)
    replacement = re.search(r"\n\s*\{#- nhsuk-frontend's inline.*?</script>", ours_body, re.S)
    assert replacement and "app/js-enabled.js" in replacement.group(0)
    assert ours_body.replace(replacement.group(0), "") == theirs.replace(inline.group(0), "")
    js = (ROOT / "static" / "app" / "js-enabled.js").read_text()
    assert "js-enabled" in js and "nhsuk-frontend-supported" in js
