"""Rules about the shape of the code that a reviewer would otherwise have to remember."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["commissioning", "plans", "priorities", "finance", "governance"]
ORDER = {app: i for i, app in enumerate(APPS)}
# Modules that answer requests: everything they read must go through for_user(user).
REQUEST_MODULES = re.compile(r"(^|/)(views|api|presenters|exports)(_[a-z_]+)?\.py$")
UNSCOPED = re.compile(r"\b[A-Z]\w*\.objects\.(?!for_user\()")
ALLOW = "# access:"


def python_files(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def request_modules():
    return [p for app in APPS for p in python_files(app) if REQUEST_MODULES.search(str(p))]


@pytest.mark.parametrize("path", request_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_request_code_reads_only_through_for_user(path):
    """Like NHS England's breast screening service: a view touching Model.objects fails CI.

    A line may opt out with a trailing `# access: <reason>` comment (e.g. a uniqueness check
    whose result never reaches the response).
    """
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if UNSCOPED.search(line) and ALLOW not in line
    ]
    assert not offenders, "Use Model.objects.for_user(request.user):\n" + "\n".join(offenders)


def imported_apps(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]


@pytest.mark.parametrize("app", APPS)
def test_dependencies_point_one_way(app):
    """commissioning <- plans <- priorities <- finance <- governance; never upwards."""
    upward = sorted(
        f"{path.relative_to(ROOT)} imports {target}"
        for path in python_files(app)
        for target in imported_apps(path)
        if target in ORDER and ORDER[target] > ORDER[app]
    )
    assert not upward, "\n".join(upward)
