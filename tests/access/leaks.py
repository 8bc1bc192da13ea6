"""Helpers of the leak tests (test_leaks.py): marking CCG B's records with a unique string,
reading any answer (JSON, HTML, CSV, XLSX, PDF) back as text to look for it, fingerprinting
the database to prove a refused write changed nothing, and counting the checks made.

A leak is CCG B's record (or a private part, or an unpublished plan) reaching someone who
may not read it, whatever the address, method, filter or format.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict

from commissioning.api_registry import router

# The strings the tests grep answers for. Each is unique to the records it marks.
MARK_B = "QZLEAKB"  # CCG B's free text
MARK_PRIVATE = "QZPRIVATE"  # the private part of CCG A's meetings
MARK_DRAFT = "QZDRAFT"  # CCG A's unpublished plan

# Prefixes whose records are national reference data: everyone with a role reads them.
NATIONAL = {"providers", "standards", "planning-rules"}

# (request, actor) checks made and leaks found, per kind of check, for the report.
CHECKS: Counter = Counter()
LEAKS: Counter = Counter()

# Fields never rewritten with a marker: file names, addresses, codes with a meaning.
_SKIP_FIELDS = (models.FileField, models.URLField, models.EmailField, models.SlugField)


def free_text_fields(model) -> list[str]:
    """Text columns a person writes in (long enough to hold a marker, no choices)."""
    names = []
    for field in model._meta.concrete_fields:
        if isinstance(field, _SKIP_FIELDS) or field.choices or field.primary_key:
            continue
        if isinstance(field, models.TextField) or (
            isinstance(field, models.CharField) and (field.max_length or 0) >= 40
        ):
            names.append(field.attname)
    return names


def mark(instance, marker: str) -> None:
    """Rewrite every free-text column of `instance` to carry `marker` (unique per row and
    column, so unique constraints hold), bypassing save() so no history is written."""
    model = type(instance)
    values = {}
    for n, name in enumerate(free_text_fields(model)):
        field = model._meta.get_field(name)
        text = f"{marker} {model._meta.model_name} {instance.pk} {n}"
        if getattr(field, "max_length", None):
            text = text[: field.max_length]
        values[name] = text
    if values:
        # The plain QuerySet: frozen records (plan versions) refuse the app's own update().
        models.QuerySet(model).filter(pk=instance.pk).update(**values)
        for name, value in values.items():
            setattr(instance, name, value)


def viewset_model(viewset):
    if getattr(viewset, "queryset", None) is not None:
        return viewset.queryset.model
    serializer = getattr(viewset, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    if getattr(meta, "model", None) is not None:
        return meta.model
    try:  # a viewset building its queryset per request: ask it without one
        return viewset(request=None, format_kwarg=None, action="list").get_queryset().model
    except Exception:  # noqa: BLE001 - it needs a request's user
        return None


def national_models() -> set:
    return {viewset_model(vs) for prefix, vs, _ in router.registry if prefix in NATIONAL}


def mark_ccg_b(world) -> list:
    """Mark every record of CCG B the world holds (and B itself) with MARK_B; returns them."""
    national = national_models()
    marked = [world.b]
    for key, thing in world.things.items():
        if key.endswith("_b") and isinstance(thing, models.Model) and type(thing) not in national:
            marked.append(thing)
    for prefix, vs, _ in router.registry:
        if prefix in NATIONAL or prefix not in world.objects:
            continue
        model = viewset_model(vs)
        if model is None:  # a resource computed from others (the dashboard, audit events)
            continue
        lookup = vs.lookup_field if vs.lookup_field != "pk" else "pk"
        try:
            row = model._default_manager.filter(**{lookup: world.objects[prefix][1]}).first()
        except (ValueError, TypeError):  # a lookup that is not a column (audit events)
            row = None
        if row is not None:
            marked.append(row)
    for row in marked:
        mark(row, MARK_B)
    return marked


# Written by every request, whoever makes it and whatever it asks: sign-in records.
PER_REQUEST = {"axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog",
               "sessions.Session"}  # fmt: skip


def fingerprint(rows=()) -> dict:
    """Row counts of every model (history, versions and audit records included) and the
    columns of `rows`: equal before and after means nothing was written."""
    counts = {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label not in PER_REQUEST
    }
    columns = {}
    for row in rows:
        fresh = type(row)._default_manager.filter(pk=row.pk).first()
        columns[f"{row._meta.label}:{row.pk}"] = (
            None if fresh is None else repr(sorted(model_to_dict(fresh).items(), key=str))
        )
    return {"counts": counts, "columns": columns}


def changes(before: dict, after: dict) -> dict:
    """What differs between two fingerprints, for the failure message."""
    return {
        part: {key: (before[part].get(key), value) for key, value in after[part].items()
               if before[part].get(key) != value}
        for part in ("counts", "columns")
    }  # fmt: skip


def text_of(response) -> str:
    """Everything an answer says, as text: XLSX and PDF read back, other bodies decoded."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if body.startswith(b"%PDF"):
        return pdf_text(body)
    return body.decode("utf-8", "replace")


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(body))
        return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    except Exception:  # the world's tiny placeholder files are not whole PDFs
        return body.decode("latin-1")


HREF = re.compile(r'href="(/[^"#]*)"')


def download_links(html: str) -> list[str]:
    """The export and download links of a page (CSV, XLSX, PDF, files)."""
    found = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if re.search(r"csv|xlsx|export|download|/file|paper|pdf", href, re.I):
            found.append(href)
    return sorted(set(found))
