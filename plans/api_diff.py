"""`GET plans/<id>/diff/?from=&to=`: the difference between two states of a plan as JSON.

Each side is a version number (the frozen snapshot, if the user may see that version),
`current` (the plan's live content) or, for `from` only, `parent` (what a refresh is
compared with: its parent as published). The answer is `plans.diffing.PlanDiff`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

from . import snapshots
from .diffing import ADDED, CHANGED, REMOVED, UNCHANGED, PlanDiff, diff_snapshots
from .models import Plan, PlanVersion
from .services.lifecycle import baseline_for_refresh

CURRENT, PARENT = "current", "parent"
STATUSES = (ADDED, REMOVED, CHANGED, UNCHANGED)
DIFF_PARAMETERS = [
    OpenApiParameter(
        "from",
        str,
        required=True,
        description="A version number, `current` (the live content) or, for a refresh, "
        "`parent` (its parent plan as published)",
    ),
    OpenApiParameter(
        "to", str, required=False, description="A version number or `current` (the default)"
    ),
]


class WordsSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField(trim_whitespace=False)


class FieldChangeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(trim_whitespace=False)
    new = serializers.CharField(trim_whitespace=False)
    words = WordsSerializer(many=True, help_text="The text from old to new, word by word")


class ItemChangeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The item's key, the same in every version")
    status = serializers.ChoiceField(choices=STATUSES)
    moved = serializers.BooleanField(help_text="Its place among the items both sides share")
    title = serializers.CharField()
    parent_title = serializers.CharField(help_text="The item it sits under, if any")
    fields = FieldChangeSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField()


class CollectionDiffSerializer(serializers.Serializer):
    name = serializers.CharField(help_text='"sections", "statements", ...')
    label = serializers.CharField()
    item_label = serializers.CharField()
    counts = serializers.SerializerMethodField()
    items = ItemChangeSerializer(many=True)

    @extend_schema_field(CountsSerializer)
    def get_counts(self, collection) -> dict:
        counts = {status: collection.count(status) for status in STATUSES}
        return {**counts, "moved": collection.moved_count}


class PlanDiffSerializer(serializers.Serializer):
    old_label = serializers.CharField()
    new_label = serializers.CharField()
    has_changes = serializers.BooleanField()
    plan_fields = FieldChangeSerializer(many=True, help_text="Title, period, vision, ...")
    collections = CollectionDiffSerializer(many=True)


def _version_side(user, plan: Plan, value: str, name: str) -> tuple[dict, str]:
    if not value.isdigit():
        raise ValidationError(
            {name: f"'{value}' is not a version: give a version number or '{CURRENT}'."}
        )
    version = PlanVersion.objects.for_user(user).for_plan(plan).filter(number=int(value)).first()
    if version is None:
        raise NotFound(f"This plan has no version {int(value)} that you can see.")
    return version.content, f"Version {version.number} ({version.label})"


def _parent_side(user, plan: Plan) -> tuple[dict, str]:
    if not plan.refreshes_id:
        raise ValidationError(
            {"from": "This plan is not a refresh, so it has no parent to compare with."}
        )
    if not Plan.objects.for_user(user).filter(pk=plan.refreshes_id).exists():
        raise NotFound("You cannot see the plan this one refreshes.")
    return baseline_for_refresh(plan)


def side(user, plan: Plan, value: str | None, name: str) -> tuple[dict, str]:
    """One side of the comparison: its snapshot and how it is labelled."""
    value = (value or "").strip().lower()
    if value == CURRENT:
        return snapshots.take(plan), f"Current ({plan.version_label})"
    if value == PARENT:
        if name != "from":
            raise ValidationError({name: "Only 'from' can be the parent plan."})
        return _parent_side(user, plan)
    if not value:
        raise ValidationError(
            {name: "Say what to compare from: a version number, 'current' or 'parent'."}
        )
    return _version_side(user, plan, value, name)


def plan_diff(user, plan: Plan, query) -> PlanDiff:
    old, old_label = side(user, plan, query.get("from"), "from")
    new, new_label = side(user, plan, query.get("to") or CURRENT, "to")
    return diff_snapshots(old, new, old_label=old_label, new_label=new_label)
