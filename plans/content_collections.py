"""The plan's own collections in the snapshot registry: sections and statements."""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history

from . import snapshots
from .models import PlanStatement, Section
from .services.guards import change_reason


def _serialize_sections(plan) -> list[dict]:
    return [
        {"key": str(s.key), "order": s.order, "title": s.title, "body": s.body}
        for s in plan.sections.order_by("order", "id")
    ]


def _copy_sections(source, target, user=None) -> None:
    bulk_create_with_history(
        [
            Section(plan=target, key=s.key, order=s.order, title=s.title, body=s.body)
            for s in source.sections.order_by("order", "id")
        ],
        Section,
        default_user=user,
        default_change_reason=change_reason(f"Copied from {source.title}"),
    )


def _serialize_statements(plan) -> list[dict]:
    return [
        {
            "key": str(s.key),
            "order": s.order,
            "kind": s.kind,
            "kind_label": s.get_kind_display(),
            "group": s.group,
            "title": s.title,
            "text": s.text,
        }
        for s in plan.statements.order_by("kind", "order", "id")
    ]


def _copy_statements(source, target, user=None) -> None:
    bulk_create_with_history(
        [
            PlanStatement(
                plan=target,
                key=s.key,
                order=s.order,
                kind=s.kind,
                group=s.group,
                title=s.title,
                text=s.text,
            )
            for s in source.statements.order_by("kind", "order", "id")
        ],
        PlanStatement,
        default_user=user,
        default_change_reason=change_reason(f"Copied from {source.title}"),
    )


def register() -> None:
    snapshots.register(
        snapshots.Collection(
            name="statements",
            label="Aims, values, principles and objectives",
            item_label="statement",
            title_field="text",
            fields=(
                ("kind_label", "Kind"),
                ("group", "Heading"),
                ("title", "Title"),
                ("text", "Text"),
            ),  # fmt: skip
            serialize=_serialize_statements,
            copy=_copy_statements,
            position=10,
        )
    )
    snapshots.register(
        snapshots.Collection(
            name="sections",
            label="Sections",
            item_label="section",
            title_field="title",
            fields=(("title", "Title"), ("body", "Text")),
            serialize=_serialize_sections,
            copy=_copy_sections,
            position=20,
            extra={"commentable": True},
        )
    )
