"""A client generated from our OpenAPI schema by a public generator drives a live server.

openapi-python-client builds a Python package from `manage.py spectacular`'s schema once per
session; the scenario then runs only through that package's functions: sign in for a token,
create a plan and a priority, a QIPP programme, scheme and month, build the plan document
and download it. A schema the generator cannot use (warnings, modules that do not import)
fails here before any request is sent.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from commissioning.access import Role
from tests.factories import PASSWORD, CCGFactory, user_with_role

PACKAGE = "ccg_api_client"
# The generator knows a fixed list of media types; a PDF is a file like any other binary.
# No post hooks: the generated code is imported, not formatted (and ruff may not be on PATH).
GENERATOR_CONFIG = """\
post_hooks: []
content_type_overrides:
  application/pdf: application/octet-stream
"""


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory, django_db_setup, django_db_blocker):
    """The generated package, imported; every one of its endpoint modules imports."""
    folder = tmp_path_factory.mktemp("openapi-client")
    schema, config = folder / "schema.yml", folder / "generator.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", file=str(schema))
    config.write_text(GENERATOR_CONFIG)
    generated = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
         "--output-path", str(folder / PACKAGE), "--meta", "none", "--config", str(config),
         "--fail-on-warning"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module(PACKAGE)
        api = importlib.import_module(f"{PACKAGE}.api")
        modules = {}
        for tag in pkgutil.iter_modules(api.__path__):
            tag_package = importlib.import_module(f"{PACKAGE}.api.{tag.name}")
            for module in pkgutil.iter_modules(tag_package.__path__):
                modules[module.name] = importlib.import_module(
                    f"{PACKAGE}.api.{tag.name}.{module.name}"
                )
        yield package, modules, importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_generator_covers_every_operation(generated_client):
    _, modules, _ = generated_client
    assert len(modules) > 200
    assert {"v1_auth_token_create", "v1_plans_create", "v1_packs_file_retrieve"} <= set(modules)
    assert all(hasattr(module, "sync_detailed") for module in modules.values())


def parsed(response, status: int):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.parsed


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_plans_records_qipp_and_downloads_the_plan_document(
    generated_client, live_server
):
    package, api, models = generated_client
    ccg = CCGFactory(ods_code="03L", name="NHS Rotherham CCG")
    user_with_role(Role.PLANNING_MANAGER, ccg, username="gen-planner")

    anonymous = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    token = parsed(
        api["v1_auth_token_create"].sync_detailed(
            client=anonymous,
            body=models.TokenRequestRequest(
                username="gen-planner", password=PASSWORD, name="generated client"
            ),  # fmt: skip
        ),
        201,
    )
    assert token.name == "generated client" and token.read_only is False
    client = package.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token",
        raise_on_unexpected_status=True,
    )  # fmt: skip

    title = "Operational Plan 2016-18 from a generated client"
    plan = parsed(
        api["v1_plans_create"].sync_detailed(
            client=client,
            body=models.PlanRequest(
                ccg="03L",
                kind=models.PlanKindEnum.OPERATIONAL_PLAN,
                title=title,
                first_year="2016/17",
                last_year="2017/18",
            ),  # fmt: skip
        ),
        201,
    )
    assert plan.ccg == "03L" and plan.state.value == "draft" and plan.title == title

    priority = parsed(
        api["v1_priorities_create"].sync_detailed(
            client=client,
            body=models.PriorityRequest(
                plan=plan.id,
                title="Urgent and emergency care",
                objective="Fewer avoidable admissions",
            ),  # fmt: skip
        ),
        201,
    )
    assert priority.plan == plan.id and priority.title == "Urgent and emergency care"

    programme = parsed(
        api["v1_qipp_programmes_create"].sync_detailed(
            client=client, body=models.QippProgrammeRequest(ccg="03L", name="Planned care")
        ),
        201,
    )
    scheme = parsed(
        api["v1_qipp_schemes_create"].sync_detailed(
            client=client,
            body=models.QippSchemeRequest(
                ccg="03L",
                year="2016/17",
                qipp_programme=programme.id,
                reference="PC01",
                project="Outpatient follow-ups",
                planned_saving="120000.00",
            ),  # fmt: skip
        ),
        201,
    )
    assert scheme.reference == "PC01" and scheme.planned_saving == "120000.00"
    month = parsed(
        api["v1_qipp_monthly_create"].sync_detailed(
            client=client,
            body=models.QippMonthRequest(
                scheme=scheme.id, month=1, plan="10000.00", actual="8500.00"
            ),  # fmt: skip
        ),
        201,
    )
    assert (month.scheme, month.month, month.actual) == (scheme.id, 1, "8500.00")
    assert month.reference == "PC01"

    build = parsed(
        api["v1_packs_create"].sync_detailed(
            client=client,
            body=models.PackRequestRequest(
                kind=models.PackKindEnum.PLAN_DOCUMENT, plan=plan.id
            ),  # fmt: skip
        ),
        202,
    )
    assert build.plan == plan.id and build.kind.value == "plan-document"
    deadline = time.monotonic() + 60
    while True:
        build = parsed(api["v1_packs_retrieve"].sync_detailed(build.id, client=client), 200)
        if build.status.value in {"done", "failed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert build.status.value == "done", build.error
    assert build.progress == 100 and build.file_url.endswith(f"/packs/{build.id}/file/")

    pdf = parsed(api["v1_packs_file_retrieve"].sync_detailed(build.id, client=client), 200)
    content = pdf.payload.read()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert title in text
