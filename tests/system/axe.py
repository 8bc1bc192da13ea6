"""Run axe-core (vendored under static/vendor/axe-core) on a Playwright page.

    from tests.system.axe import assert_accessible
    assert_accessible(page)

Fails with a readable list of WCAG 2.2 AA violations: rule id, impact, help and the
offending nodes.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

AXE_JS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN_AXE = """
async ([tags, disabled]) => {
  const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
  return await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    rules,
    resultTypes: ["violations"],
  });
}
"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']}\n  {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}\n      {node.get('html', '')[:200]}\n      {summary}")
    return "\n".join(lines)


def axe_violations(page, disabled_rules: tuple[str, ...] = (), attempts: int = 3) -> list[dict]:
    # A check straight after a click can land while the next page is still arriving (no
    # document yet, or the context torn down mid-run): wait for it to load and try again.
    for attempt in range(1, attempts + 1):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                # As a file, from the page's own server: the CSP allows no inline script.
                page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
            return page.evaluate(_RUN_AXE, [WCAG_TAGS, list(disabled_rules)])["violations"]
        except PlaywrightError:
            if attempt == attempts:
                raise
            page.wait_for_timeout(250)
    raise AssertionError("unreachable")


def assert_accessible(page, disabled_rules: tuple[str, ...] = ()) -> None:
    """Fail the test if axe finds WCAG 2.0/2.1/2.2 A or AA violations on the page."""
    violations = axe_violations(page, disabled_rules)
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )
