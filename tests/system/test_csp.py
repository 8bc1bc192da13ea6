"""The Content-Security-Policy in a real browser: the demo's main pages, signed in as a
planning manager, raise no `securitypolicyviolation` and log no CSP error.

A listener added with add_init_script (before any page script runs) collects violations
into window.__cspViolations; console messages naming the Content Security Policy are
collected too. The policy has no 'unsafe-inline': if any page still had an inline script,
style attribute, <style> or event handler, Chromium would refuse it and report it here.
"""

import pytest
from playwright.sync_api import expect

from tests.commissioning.security_pages import DEMO_PASSWORD, PLANNER, demo_world, main_pages

pytestmark = pytest.mark.browser

LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || location.pathname}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched(page):
    """The page, with CSP violations and CSP console errors recorded."""
    page.add_init_script(LISTENER)
    page.csp_console = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.csp_console.append(message.text)

    page.on("console", on_console)
    return page


def visit(page, path: str) -> list[str]:
    """Open `path`; return the CSP violations it raised (with the console's)."""
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    found = page.evaluate("window.__cspViolations")
    found += page.csp_console
    page.csp_console.clear()
    return found


def test_the_main_pages_raise_no_csp_violation(watched, transactional_db):
    # Given the demo world and its planning manager of NHS Rotherham CCG
    demo_world()
    pages = main_pages()
    violations = {}

    # When they open the sign-in page and sign in
    found = visit(watched, "/accounts/login/")
    if found:
        violations["login"] = found
    watched.get_by_label("Username").fill(PLANNER)
    watched.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    watched.get_by_role("button", name="Sign in").click()
    expect(watched.get_by_role("heading", level=1)).to_have_text("Your CCGs")

    # And open each main page
    for name, path in pages.items():
        found = visit(watched, path)
        if found:
            violations[name] = found
        # nhsuk-frontend's "JavaScript is on" classes came from the static file.
        classes = watched.evaluate("document.body.className")
        assert "js-enabled" in classes and "nhsuk-frontend-supported" in classes, name
        # htmx was told not to inject its indicator <style>.
        assert watched.evaluate("document.querySelectorAll('style').length") == 0, name

    # Then no page raised a violation
    assert violations == {}
    assert len(pages) >= 20


def test_the_api_docs_work_under_the_policy(watched, transactional_db):
    # Given the demo's planning manager, signed in
    demo_world()
    watched.goto("/accounts/login/")
    watched.get_by_label("Username").fill(PLANNER)
    watched.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    watched.get_by_role("button", name="Sign in").click()
    expect(watched.get_by_role("heading", level=1)).to_have_text("Your CCGs")

    # When they open the API documentation (Swagger UI)
    found = visit(watched, "/api/docs/")

    # Then Swagger UI renders the schema, and nothing was blocked
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text(
        "CCG commissioning planning API"
    )
    expect(watched.locator(".opblock").first).to_be_visible()
    found += watched.evaluate("window.__cspViolations") + watched.csp_console
    assert found == []
