"""Load the demo data set (`seed_facts.yaml`) into the database, idempotently.

One path for every write: `upsert()` finds a row by its natural key, creates it if missing,
saves only the fields whose values differ, and counts what it did. Running the loader twice
changes nothing the second time. The work is a list of step functions (`STEPS`) run in one
transaction; apps above commissioning (plans, priorities, finance) add their own steps with
`register_step()` from their `AppConfig.ready()`, so this app never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import models, transaction

from ..access import Role
from ..governing_body import check_composition
from ..models import (
    CCG,
    CommissionedProvider,
    GoverningBodyMembership,
    Locality,
    Membership,
    PartnerOrganisation,
    Person,
    Practice,
    PracticeListSize,
    Provider,
)

FACTS_PATH = Path(__file__).with_name("seed_facts.yaml")
DEFAULT_DEMO_PASSWORD = "demo-password"

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class FactsError(ValueError):
    """The facts file contradicts itself (e.g. a list does not match its stated count)."""


def read_facts(path: Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --- Report ----------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Login:
    username: str
    access: str
    can: str


@dataclass
class LoadReport:
    tallies: dict[str, Tally] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    composition: dict[str, list[str]] = field(default_factory=dict)

    def count(self, model: type[models.Model], outcome: str) -> None:
        tally = self.tallies.setdefault(model._meta.object_name, Tally())
        setattr(tally, outcome, getattr(tally, outcome) + 1)

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated for t in self.tallies.values())

    def lines(self) -> list[str]:
        width = max((len(name) for name in self.tallies), default=0)
        return [
            f"{name.ljust(width)}  created {t.created}, updated {t.updated}, "
            f"unchanged {t.unchanged}"
            for name, t in self.tallies.items()
        ]


@dataclass
class LoadContext:
    facts: dict
    password: str
    report: LoadReport
    ccgs: dict[str, CCG] = field(default_factory=dict)


# --- The one write path ----------------------------------------------------------------------


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.many_to_one or model_field.one_to_one:
        current = getattr(obj, model_field.attname)
        return current != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(
    ctx: LoadContext, model: type[models.Model], key: dict[str, Any], values: dict[str, Any]
) -> models.Model:
    """Find `model` by natural `key`; create it, or save only the `values` that differ."""
    obj = model._default_manager.filter(**key).order_by("pk").first()
    if obj is None:
        obj = model(**{**values, **key})
        obj.full_clean()
        obj.save()
        ctx.report.count(model, CREATED)
        return obj
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if not changed:
        ctx.report.count(model, UNCHANGED)
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    if any(f.name == "version" for f in model._meta.concrete_fields):
        obj.version += 1  # an edit open elsewhere against the old version is then refused
        changed.append("version")
    obj.full_clean()
    obj.save(update_fields=changed)
    ctx.report.count(model, UPDATED)
    return obj


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` integers as evenly as possible, summing exactly to `total`."""
    base, remainder = divmod(total, parts)
    return [base + 1 if i < remainder else base for i in range(parts)]


# --- Steps -----------------------------------------------------------------------------------


def load_ccgs(ctx: LoadContext) -> None:
    for spec in ctx.facts["ccgs"]:
        ctx.ccgs[spec["ods_code"]] = upsert(
            ctx,
            CCG,
            {"ods_code": spec["ods_code"]},
            {
                "name": spec["name"],
                "short_name": spec["short_name"],
                "open_date": spec["open_date"],
                "region": spec["region"] or "",
                "population": spec["population"],
                "population_as_of": spec["population_as_of"],
                "population_note": spec["population_note"],
                "address": spec["address"] or "",
                "source_note": spec["source"],
            },
        )


def _check_localities(group: dict) -> None:
    items = group["items"]
    stated = group["stated_total"]
    if sum(i["practices"] for i in items) != stated["practices"] or (
        sum(i["population"] for i in items) != stated["population"]
    ):
        raise FactsError(f"Localities of {group['ccg']} do not add up to their stated total.")


def load_localities(ctx: LoadContext) -> None:
    for group in ctx.facts["localities"]:
        _check_localities(group)
        ccg = ctx.ccgs[group["ccg"]]
        for item in group["items"]:
            upsert(
                ctx,
                Locality,
                {"ccg": ccg, "name": item["name"]},
                {
                    "code": item["code"],
                    "population": item["population"],
                    "population_note": group["population_note"],
                    "stated_practice_count": item["practices"],
                },
            )


def _practice(ctx: LoadContext, code: str, ccg: CCG, **values: Any) -> Practice:
    return upsert(ctx, Practice, {"ods_code": code}, {"ccg": ccg, **values})


def load_named_practices(ctx: LoadContext) -> None:
    for group in ctx.facts["named_practices"]:
        if len(group["items"]) != group["stated_count"]:
            raise FactsError(
                f"{group['ccg']}: {len(group['items'])} practices listed, "
                f"{group['stated_count']} stated."
            )
        ccg = ctx.ccgs[group["ccg"]]
        for number, item in enumerate(group["items"], start=1):
            _practice(
                ctx,
                f"{group['code_prefix']}{number:03d}",
                ccg,
                name=item["name"],
                town=item["town"],
                locality=None,
                is_placeholder=False,
                ods_code_is_stand_in=True,
                source_note=" ".join(group["source_note"].split()),
            )


def load_placeholder_practices(ctx: LoadContext) -> None:
    for group in ctx.facts["placeholder_practices"]:
        ccg = ctx.ccgs[group["ccg"]]
        note = " ".join(group["source_note"].split())
        if group.get("by_locality"):
            group_facts = next(g for g in ctx.facts["localities"] if g["ccg"] == group["ccg"])
            batches = [
                (
                    Locality.objects.get(ccg=ccg, name=item["name"]),
                    item["practices"],
                    item["population"],
                )
                for item in group_facts["items"]
            ]
        else:
            batches = [(None, group["count"], None)]
        number = 0
        for locality, count, population in batches:
            sizes = spread(population, count) if group.get("list_size") else [None] * count
            for size in sizes:
                number += 1
                where = f" ({locality.name})" if locality else ""
                practice = _practice(
                    ctx,
                    f"{group['code_prefix']}{number:03d}",
                    ccg,
                    name=f"Placeholder practice {number}{where}",
                    town="",
                    locality=locality,
                    is_placeholder=True,
                    ods_code_is_stand_in=True,
                    source_note=note,
                )
                if size is not None:
                    upsert(
                        ctx,
                        PracticeListSize,
                        {"practice": practice, "date": group["list_size"]["date"]},
                        {"patients": size, "source": group["list_size"]["source"]},
                    )


def load_providers(ctx: LoadContext) -> None:
    for spec in ctx.facts["providers"]:
        source = " ".join(spec["source"].split())
        provider = upsert(
            ctx,
            Provider,
            {"ods_code": spec["ods_code"]},
            {
                "name": spec["name"],
                "short_name": spec["short_name"] or "",
                "kind": spec["kind"],
                "source_note": (
                    "ODS code and full name from the public NHS ODS register, not the seeds. "
                    f"The seeds name it: {source}."
                ),
            },
        )
        for link in spec["links"]:
            upsert(
                ctx,
                CommissionedProvider,
                {"ccg": ctx.ccgs[link["ccg"]], "provider": provider},
                {"note": " ".join(link["note"].split())},
            )


def load_partners(ctx: LoadContext) -> None:
    for group in ctx.facts["partners"]:
        ccg = ctx.ccgs[group["ccg"]]
        for item in group["items"]:
            upsert(
                ctx,
                PartnerOrganisation,
                {"ccg": ccg, "name": item["name"]},
                {"kind": item["kind"], "note": " ".join(item["note"].split())},
            )


def load_people(ctx: LoadContext) -> None:
    """People the seeds name, and governing body seats in the seed's order."""
    for group in ctx.facts["people"]:
        ccg = ctx.ccgs[group["ccg"]]
        order = 0
        for spec in group["persons"]:
            person = None
            if not spec.get("vacant"):
                note = " ".join(filter(None, [spec.get("note"), f"Source: {group['cite']}."]))
                person = upsert(
                    ctx,
                    Person,
                    {"ccg": ccg, "name": spec["name"]},
                    {"job_title": spec["job_title"], "note": note},
                )
            seat = spec.get("seat")
            if not seat:
                continue
            order += 1
            key = {"ccg": ccg, "person": person, "end_date": None}
            if person is None:
                key["title"] = seat["title"]
            upsert(
                ctx,
                GoverningBodyMembership,
                key,
                {
                    "title": seat["title"],
                    "category": seat["category"],
                    "is_chair": seat.get("is_chair", False),
                    "voting": seat["voting"],
                    "lead_areas": " ".join(seat.get("lead_areas", "").split()),
                    "order": order,
                    "note": " ".join(seat.get("note", "").split()),
                },
            )


def _access(spec: dict, ccgs: dict[str, CCG]) -> str:
    parts = []
    if spec.get("is_superuser"):
        parts.append("superuser and staff")
    for m in spec["memberships"]:
        label = Role(m["role"]).label
        parts.append(f"{label}, {ccgs[m['ccg']]}" if m["ccg"] else f"{label}, every CCG")
    return "; ".join(parts)


def load_demo_users(ctx: LoadContext) -> None:
    User = get_user_model()
    for spec in ctx.facts["demo_users"]:
        values = {
            "first_name": spec["first_name"],
            "last_name": spec["last_name"],
            "is_active": True,
            "is_staff": spec.get("is_staff", False),
            "is_superuser": spec.get("is_superuser", False),
        }
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(username=spec["username"], **values)
            user.set_password(ctx.password)
            user.full_clean()
            user.save()
            ctx.report.count(User, CREATED)
        else:
            changed = [name for name, value in values.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, values[name])
            # Compare without Django's rehash-on-check, so a matching password is left alone.
            if not check_password(ctx.password, user.password):
                user.set_password(ctx.password)
                changed.append("password")
            if changed:
                user.full_clean()
                user.save(update_fields=changed)
            ctx.report.count(User, UPDATED if changed else UNCHANGED)
        for m in spec["memberships"]:
            ccg = ctx.ccgs[m["ccg"]] if m["ccg"] else None
            upsert(ctx, Membership, {"user": user, "ccg": ccg}, {"role": m["role"]})
        ctx.report.logins.append(Login(spec["username"], _access(spec, ctx.ccgs), spec["can"]))


def check_governing_bodies(ctx: LoadContext) -> None:
    """Read-only: what the composition rules say about each governing body as loaded."""
    for code, ccg in ctx.ccgs.items():
        seats = GoverningBodyMembership.objects.filter(ccg=ccg).current()
        ctx.report.composition[code] = [w.message for w in check_composition(seats)]


Step = Callable[[LoadContext], None]

STEPS: list[Step] = [
    load_ccgs,
    load_localities,
    load_named_practices,
    load_placeholder_practices,
    load_providers,
    load_partners,
    load_people,
    load_demo_users,
    check_governing_bodies,
]


# Steps of the apps above commissioning, by name, in the order they were registered.
_REGISTERED: dict[str, Step] = {}


def register_step(step: Step, name: str) -> None:
    """Run `step` on every load, after the core `STEPS` and the steps registered before it.

    Apps call this from `AppConfig.ready()`; registering a name again replaces its step in
    place (so a second `ready()` does not run a step twice)."""
    _REGISTERED[name] = step


def registered_steps() -> list[Step]:
    return list(_REGISTERED.values())


def load_demo(facts: dict | None = None, password: str | None = None) -> LoadReport:
    """Run every step in one transaction; returns what was created, updated and unchanged."""
    ctx = LoadContext(
        facts=facts if facts is not None else read_facts(),
        password=password if password is not None else settings.DEMO_PASSWORD,
        report=LoadReport(),
    )
    with transaction.atomic():
        for step in [*STEPS, *registered_steps()]:
            step(ctx)
    return ctx.report
