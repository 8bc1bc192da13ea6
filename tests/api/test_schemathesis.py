"""Every operation of the OpenAPI schema, fuzzed by schemathesis against the app in-process.

The schema is loaded from the WSGI app (`/api/schema/`); for each operation a few
schema-valid requests are generated (derandomized, so a run is repeatable) and sent with an
API token, against the permission matrix's world (two CCGs with one record of every kind),
once as a planning manager of CCG A (with CCG A's plan in draft, so its content takes writes)
and once as a scrutiny member. Path parameters and the references of request bodies (plan,
priority, ccg, ...) address CCG A's records, so requests reach real rows and the services.
Each example runs in a savepoint that is rolled back, so a DELETE does not take the record
away from the operations after it. Checks: no 5xx, documented status codes and content
types, bodies that match the documented schema. Every failure of every operation is
collected and reported together.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commissioning.access import Role
from commissioning.models import ApiToken
from plans.models import Plan, PlanState
from tests.access.world import build_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# 5 per operation in CI; `make fuzz` runs many more (SCHEMATHESIS_EXAMPLES, default there 50).
EXAMPLES = settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5")),
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# Body fields that name a record, and the world's API prefix holding it: generated values
# are replaced by CCG A's record, so writes get past "no such plan" to the services.
REFERENCES = {
    "ccg": "ccgs", "plan": "plans", "priority": "priorities", "commitment": "commitments",
    "action": "actions", "programme": "programmes", "qipp_programme": "qipp-programmes",
    "scheme": "qipp-schemes", "committee": "committees", "meeting": "meetings",
    "item": "agenda-items", "contract": "contracts", "financial_plan": "financial-plans",
    "pooled_budget": "pooled-budgets", "locality": "localities", "partner": "partners",
    "person": "people", "provider": "providers", "standard": "standards",
}  # fmt: skip
YEARS = {"year": "2016/17", "first_year": "2016/17", "last_year": "2018/19"}
PREFIX = re.compile(r"^/api/v1/(?P<prefix>[^/{]+)/\{(?P<param>[^}]+)\}/")


@pytest.fixture
def wsgi_app():
    """The app as a server runs it, on the test's connection: Django's own test client also
    keeps the per-request connection clean-up from closing the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    return build_world()


def record_of(world, path: str) -> dict:
    """The first path parameter of `path`, set to CCG A's record of its resource."""
    match = PREFIX.match(path)
    if not match or match["prefix"] not in world.objects:
        return {}
    return {match["param"]: world.objects[match["prefix"]][0]}


@dataclass
class Run:
    failures: dict = field(default_factory=lambda: defaultdict(dict))  # label -> {key: text}
    statuses: dict = field(default_factory=lambda: defaultdict(set))  # label -> {status}

    def failed(self) -> dict:
        return {label: found for label, found in self.failures.items() if found}

    def answered(self, method: str, status: range) -> float:
        """The share of `method` operations that answered `status` at least once."""
        labels = [label for label in self.statuses if label.startswith(f"{method} ")]
        hits = [label for label in labels if self.statuses[label] & set(status)]
        return len(hits) / len(labels)


def refer_to_world(body, world):
    """`body` with its references to records (of the generated value's type) set to CCG A's."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    for name, value in body.items():
        prefix = REFERENCES.get(name)
        if prefix in world.objects and type(world.objects[prefix][0]) is type(value):
            body[name] = world.objects[prefix][0]
        elif name in YEARS and isinstance(value, str):
            body[name] = YEARS[name]
    return body


def fuzz(schema, world, user) -> Run:
    """Run every operation a few times as `user`, with an API token."""
    _, key = ApiToken.issue(user, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    run = Run()
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE,
            path_parameters=record_of(world, operation.path) or None,
        )
        run_examples(strategy, headers, run, operation.label, world)
    return run


def run_examples(strategy, headers: dict, run: Run, label: str, world) -> None:
    seen, statuses = run.failures[label], run.statuses[label]

    @EXAMPLES
    @given(case=strategy)
    def example(case):
        if not isinstance(case.body, NotSet):
            case.body = refer_to_world(case.body, world)
        with transaction.atomic():
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as found:
                for failure in getattr(found, "exceptions", [found]):
                    key = (failure.code, failure.title, failure.message.strip().split("\n")[0])
                    seen.setdefault(key, describe(failure, case, response))
            transaction.set_rollback(True)

    example()


def describe(failure, case, response) -> str:
    message = "\n".join(failure.message.strip().splitlines()[:24])
    request = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
    answer = f"{response.status_code} {response.text[:400]}"
    return f"{failure.code} {failure.title}\n{message}\n  request: {request}\n  answer: {answer}"


def report(failures: dict) -> str:
    return "\n\n".join(
        f"=== {label}\n" + "\n---\n".join(found.values()) for label, found in failures.items()
    )


# Who fuzzes, and the share of operations of each method that must have succeeded (2xx) at
# least once: the token works and the requests reach the world's records. A scrutiny member
# reads published plan content only (finance, risks and assurance are internal: 404).
PASSES = {
    Role.PLANNING_MANAGER: {"GET": 0.9, "POST": 0.5, "PATCH": 0.6, "DELETE": 0.5},
    Role.SCRUTINY: {"GET": 0.7},
}


@pytest.mark.parametrize("role", list(PASSES))
def test_every_operation_answers_as_documented(wsgi_app, world, role):
    if role == Role.PLANNING_MANAGER:
        # The world's plans are published (read-only); in draft, CCG A's plan content takes
        # the writes, so PATCH and DELETE reach the services instead of stopping at 409.
        Plan.objects.filter(pk=world.things["plan_a"].pk).update(state=PlanState.DRAFT)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    run = fuzz(schema, world, world.users[role])
    assert len(run.statuses) > 250
    failed = run.failed()
    assert not failed, f"{len(failed)} operations failed\n\n{report(failed)}"
    reached = {method: run.answered(method, range(200, 300)) for method in PASSES[role]}
    assert all(reached[method] > share for method, share in PASSES[role].items()), reached
