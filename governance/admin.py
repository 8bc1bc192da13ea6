"""Admin for performance: the catalogue's standards and thresholds (the file is the source;
edit it and run `load_standards`), local KPIs, measurements and the import log (read-only)."""

from django.contrib import admin

from .models import Measurement, MeasurementImport, Standard, StandardThreshold


class ThresholdInline(admin.TabularInline):
    model = StandardThreshold
    fields = ["value", "applies_from", "applies_to", "note"]
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "unit", "direction", "frequency", "ccg",
                    "catalogue_version"]  # fmt: skip
    list_filter = ["group", "unit", "direction", "frequency", ("ccg", admin.EmptyFieldListFilter)]
    list_select_related = ["ccg"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["ccg"]
    readonly_fields = ["catalogue_version"]
    inlines = [ThresholdInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["standard", "ccg", "provider", "period_start", "period_type", "value",
                    "illustrative", "imported_by"]  # fmt: skip
    list_filter = ["period_type", "illustrative", "standard__group", "standard"]
    list_select_related = ["standard", "ccg", "provider", "imported_by"]
    search_fields = ["standard__code", "ccg__ods_code", "ccg__name", "provider__ods_code"]
    date_hierarchy = "period_start"
    raw_id_fields = ["standard", "ccg", "provider", "imported_by"]
    readonly_fields = ["updated_at"]


@admin.register(MeasurementImport)
class MeasurementImportAdmin(admin.ModelAdmin):
    list_display = ["id", "source_name", "ccg", "status", "dry_run", "rows_read", "created",
                    "updated", "unchanged", "latest_period", "finished_at"]  # fmt: skip
    list_filter = ["status", "dry_run"]
    list_select_related = ["ccg", "requested_by"]
    search_fields = ["source_name", "ccg__ods_code", "message"]
    readonly_fields = [f.name for f in MeasurementImport._meta.fields]

    def has_add_permission(self, request):
        return False  # imports come in through the API, pages and `import_measurements`

    def has_change_permission(self, request, obj=None):
        return False
