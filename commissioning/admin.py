"""Admin for staff: every core model, searchable by the codes people use."""

from django.contrib import admin

from .models import (
    CCG,
    ApiToken,
    CommissionedProvider,
    DatasetImport,
    GoverningBodyMembership,
    Locality,
    Membership,
    PartnerOrganisation,
    Person,
    Practice,
    PracticeListSize,
    Provider,
)


class LocalityInline(admin.TabularInline):
    model = Locality
    extra = 0


class SeatInline(admin.TabularInline):
    model = GoverningBodyMembership
    extra = 0
    autocomplete_fields = ["person"]


class ProviderLinkInline(admin.TabularInline):
    model = CommissionedProvider
    extra = 0
    autocomplete_fields = ["provider"]


@admin.register(CCG)
class CCGAdmin(admin.ModelAdmin):
    list_display = ["ods_code", "name", "region", "population", "open_date", "close_date"]
    search_fields = ["ods_code", "name", "short_name"]
    list_filter = ["region"]
    autocomplete_fields = ["successor"]
    inlines = [LocalityInline, SeatInline, ProviderLinkInline]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ccg", "population", "stated_practice_count"]
    search_fields = ["name", "code", "ccg__ods_code"]
    list_select_related = ["ccg"]


class ListSizeInline(admin.TabularInline):
    model = PracticeListSize
    extra = 0


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["ods_code", "name", "town", "ccg", "locality", "status", "is_placeholder"]
    list_filter = ["status", "is_placeholder", "ods_code_is_stand_in", "ccg"]
    search_fields = ["ods_code", "name", "town", "postcode"]
    list_select_related = ["ccg", "locality"]
    autocomplete_fields = ["ccg", "locality"]
    inlines = [ListSizeInline]


@admin.register(PracticeListSize)
class PracticeListSizeAdmin(admin.ModelAdmin):
    list_display = ["practice", "date", "patients", "source"]
    search_fields = ["practice__ods_code", "practice__name"]
    list_select_related = ["practice"]
    date_hierarchy = "date"


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["ods_code", "name", "kind", "open_date", "close_date"]
    list_filter = ["kind"]
    search_fields = ["ods_code", "name", "short_name"]


@admin.register(CommissionedProvider)
class CommissionedProviderAdmin(admin.ModelAdmin):
    list_display = ["ccg", "provider", "note"]
    list_select_related = ["ccg", "provider"]
    search_fields = ["ccg__ods_code", "provider__ods_code", "provider__name"]


@admin.register(PartnerOrganisation)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ccg"]
    list_filter = ["kind"]
    search_fields = ["name", "ccg__ods_code"]
    list_select_related = ["ccg"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "ccg"]
    search_fields = ["name", "job_title", "ccg__ods_code"]
    list_select_related = ["ccg"]


@admin.register(GoverningBodyMembership)
class GoverningBodyMembershipAdmin(admin.ModelAdmin):
    list_display = ["ccg", "person", "title", "category", "is_chair", "voting", "end_date"]
    list_filter = ["category", "voting", "is_chair"]
    search_fields = ["person__name", "title", "ccg__ods_code"]
    list_select_related = ["ccg", "person"]
    autocomplete_fields = ["person"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "ccg", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "ccg__ods_code"]
    list_select_related = ["user", "ccg"]
    autocomplete_fields = ["user", "ccg"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are shown once: tokens are created by their user or the API


@admin.register(DatasetImport)
class DatasetImportAdmin(admin.ModelAdmin):
    list_display = [
        "dataset",
        "source_name",
        "status",
        "rows_read",
        "created",
        "updated",
        "closed",
        "finished_at",
    ]
    list_filter = ["dataset", "status"]
    readonly_fields = [f.name for f in DatasetImport._meta.fields]

    def has_add_permission(self, request):
        return False
