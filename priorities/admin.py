"""Admin for priorities, delivery and programmes (content is edited through the pages)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    Commitment,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
    SuccessMeasure,
)


@admin.register(PriorityArea)
class PriorityAreaAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "order"]
    search_fields = ["title", "plan__title"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan"]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "priority", "lead", "status"]
    list_filter = ["status"]
    search_fields = ["text", "lead"]
    readonly_fields = ["key", "revision", "status", "status_reported_on"]
    raw_id_fields = ["priority", "locality"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "commitment", "lead", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["text", "lead"]
    readonly_fields = ["key", "revision", "status", "status_reported_on"]
    raw_id_fields = ["commitment"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "reported_by", "illustrative"]
    list_filter = ["status", "illustrative"]
    raw_id_fields = ["plan", "action", "commitment", "reported_by"]


@admin.register(SuccessMeasure)
class SuccessMeasureAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "baseline", "aspiration"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan", "priority"]


@admin.register(LocalityFocus)
class LocalityFocusAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "locality", "plan"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan", "locality"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ccg", "lead"]
    list_filter = ["ccg"]
    readonly_fields = ["key", "revision"]
    filter_horizontal = ["commitments"]


@admin.register(ProgrammeIntention)
class ProgrammeIntentionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme", "plan"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan", "programme"]


@admin.register(ProgrammeMeasure)
class ProgrammeMeasureAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme"]
    raw_id_fields = ["programme"]
