"""Production security settings, read in a subprocess with the production environment (as
tests/commissioning/test_settings.py does), and `check --deploy` as CI runs it.

Also the production API renderers: JSON and the CSV/XLSX spreadsheets, no browsable API
(the bug was that production dropped CSV and XLSX).
"""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def production_env(tmp_path, **extra) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
        "SECRET_KEY": "ci-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "planning.example.nhs.uk",
        "VAR_DIR": str(tmp_path),
        **extra,
    }


def read_settings(tmp_path, names: list[str], module="production", **env) -> dict:
    code = (
        "import json; from commissioning.settings import " + module + " as s; "
        "print(json.dumps({n: getattr(s, n) for n in " + repr(names) + "}, default=str))"
    )
    environment = production_env(tmp_path, **env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_http_only_and_lax(tmp_path):
    values = read_settings(
        tmp_path,
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "CSRF_COOKIE_SAMESITE",
        ],
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def test_production_sends_hsts_for_a_year_and_redirects_to_https(tmp_path):
    values = read_settings(
        tmp_path,
        [
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "SECURE_CONTENT_TYPE_NOSNIFF",
            "X_FRAME_OPTIONS",
            "DEBUG",
        ],
    )
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["DEBUG"] is False


@pytest.mark.parametrize("module", ["base", "production", "test"])
def test_every_settings_module_has_the_csp_lockout_and_session_age(tmp_path, module):
    values = read_settings(
        tmp_path,
        [
            "CONTENT_SECURITY_POLICY",
            "MIDDLEWARE",
            "INSTALLED_APPS",
            "SESSION_COOKIE_AGE",
            "SESSION_SAVE_EVERY_REQUEST",
            "AUTH_PASSWORD_VALIDATORS",
        ],
        module=module,
    )
    directives = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    policy = json.dumps(directives)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert {"csp", "axes"} <= set(values["INSTALLED_APPS"])
    apps = values["INSTALLED_APPS"]
    assert apps.index("commissioning.passwords") < apps.index("django.contrib.auth")
    assert values["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert values["SESSION_SAVE_EVERY_REQUEST"] is False
    assert len(values["AUTH_PASSWORD_VALIDATORS"]) == 4


def test_security_settings_come_from_the_environment(tmp_path):
    values = read_settings(
        tmp_path,
        ["SESSION_COOKIE_AGE", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "ADMIN_URL"],
        SESSION_AGE_SECONDS="3600",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="30",
        ADMIN_URL="/back-office",
    )
    assert values == {
        "SESSION_COOKIE_AGE": 3600,
        "AXES_FAILURE_LIMIT": 3,
        "AXES_COOLOFF_TIME": "0:30:00",
        "ADMIN_URL": "back-office/",
    }


def test_production_passes_check_deploy_at_warning_level(tmp_path):
    """The CI step "Production settings pass check --deploy", with its environment."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=production_env(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


# --- Production API renderers (the CSV/XLSX bug) ---------------------------------------------

PRODUCTION_RENDERERS = [
    "rest_framework.renderers.JSONRenderer",
    "commissioning.api_spreadsheets.CSVRenderer",
    "commissioning.api_spreadsheets.XLSXRenderer",
]


def test_production_keeps_the_spreadsheet_renderers_but_not_the_browsable_api(tmp_path):
    values = read_settings(tmp_path, ["REST_FRAMEWORK"])
    assert values["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"] == PRODUCTION_RENDERERS


REQUESTS = r"""
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from commissioning.access import Role
from commissioning.models import ApiToken
from tests.factories import CCGFactory, user_with_role
ccg = CCGFactory(ods_code="03L", name="NHS Rotherham CCG", short_name="Rotherham")
_, key = ApiToken.issue(user_with_role(Role.PLANNING_MANAGER, ccg), name="csv")
client = Client(HTTP_AUTHORIZATION=f"Token {key}")
out = {}
for label, path, headers in [
    ("csv", "/api/v1/ccgs/?format=csv", {}),
    ("xlsx", "/api/v1/ccgs/?format=xlsx", {}),
    ("json", "/api/v1/ccgs/", {}),
    ("api", "/api/v1/ccgs/?format=api", {}),
    ("html", "/api/v1/ccgs/", {"HTTP_ACCEPT": "text/html"}),
]:
    r = client.get(path, secure=True, **headers)
    out[label] = [r.status_code, r.get("Content-Type", ""), r.content[:300].hex()]
print(json.dumps(out))
"""


def test_in_production_format_csv_and_xlsx_still_answer(tmp_path):
    """Real requests in a process running the production settings (SQLite in tmp_path)."""
    env = production_env(tmp_path, ALLOWED_HOSTS="testserver")
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    status = {label: answer[0] for label, answer in out.items()}
    assert status == {"csv": 200, "xlsx": 200, "json": 200, "api": 404, "html": 406}
    assert out["csv"][1].startswith("text/csv")
    assert "03L" in bytes.fromhex(out["csv"][2]).decode("utf-8-sig", "replace")
    assert out["xlsx"][1].startswith("application/vnd.openxmlformats")
    assert bytes.fromhex(out["xlsx"][2])[:2] == b"PK"  # a zip: the workbook
    assert out["json"][1] == "application/json"
