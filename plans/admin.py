"""Admin for plans: read-mostly. Versions are frozen; lifecycle moves go through the pages
and the API (which use the services), so state is read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Consultation,
    ConsultationComment,
    Milestone,
    Plan,
    PlanStatement,
    PlanVersion,
    Section,
)


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "title"]
    readonly_fields = ["title"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "ccg", "kind", "first_year", "last_year", "state", "draft_number"]
    list_filter = ["kind", "state", "ccg"]
    search_fields = ["title", "ccg__name", "ccg__ods_code"]
    readonly_fields = ["state", "draft_number", "revision", "state_changed_at", "created_by"]
    raw_id_fields = ["refreshes"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "order"]
    search_fields = ["title", "plan__title"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan"]


@admin.register(PlanStatement)
class PlanStatementAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "plan", "order"]
    list_filter = ["kind"]
    readonly_fields = ["key", "revision"]
    raw_id_fields = ["plan"]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "label", "from_state", "to_state", "created_by", "created_at"]
    list_filter = ["to_state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "opens_on", "closes_on", "closed_at"]
    raw_id_fields = ["plan"]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "stakeholder", "target_label", "outcome", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["plan", "consultation"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "due_on", "done_on"]
    raw_id_fields = ["plan"]
