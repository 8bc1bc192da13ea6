"""Admin for finance records (planning managers work through the pages and the API)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PlanningRule,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippImport,
    QippMonth,
    QippProgramme,
    QippRagThreshold,
    QippScheme,
    StatedAmount,
)


class StatedAmountInline(admin.TabularInline):
    model = StatedAmount
    extra = 0
    exclude = ["revision"]


class BudgetAssumptionInline(admin.TabularInline):
    model = BudgetAssumption
    extra = 0
    exclude = ["revision"]


@admin.register(FinancialPlan)
class FinancialPlanAdmin(SimpleHistoryAdmin):
    list_display = ["ccg", "year", "allocation", "efficiency_target", "illustrative"]
    list_filter = ["year", "ccg"]
    readonly_fields = ["revision"]
    raw_id_fields = ["plan"]
    inlines = [StatedAmountInline, BudgetAssumptionInline]


@admin.register(PlanningRule)
class PlanningRuleAdmin(admin.ModelAdmin):
    list_display = ["year", "code", "label", "basis", "rate"]
    list_filter = ["year", "basis"]


@admin.register(FinancialChallenge)
class FinancialChallengeAdmin(SimpleHistoryAdmin):
    list_display = ["ccg", "first_year", "last_year", "amount"]
    readonly_fields = ["revision"]


@admin.register(QippProgramme)
class QippProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ccg", "lead", "order"]
    list_filter = ["ccg"]
    readonly_fields = ["revision"]
    raw_id_fields = ["priority", "programme"]


class QippMonthInline(admin.TabularInline):
    model = QippMonth
    extra = 0
    exclude = ["revision"]


@admin.register(QippScheme)
class QippSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "project", "ccg", "year", "qipp_programme", "planned_saving",
                    "status"]  # fmt: skip
    list_filter = ["year", "status", "ccg"]
    search_fields = ["reference", "project", "lead"]
    readonly_fields = ["revision"]
    raw_id_fields = ["qipp_programme", "provider", "priority", "programme"]
    inlines = [QippMonthInline]


@admin.register(QippMonth)
class QippMonthAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "month", "plan", "actual", "forecast"]
    readonly_fields = ["revision"]
    raw_id_fields = ["scheme"]


@admin.register(QippRagThreshold)
class QippRagThresholdAdmin(admin.ModelAdmin):
    list_display = ["ccg", "green_from", "amber_from"]


@admin.register(QippImport)
class QippImportAdmin(admin.ModelAdmin):
    list_display = ["source_name", "ccg", "year", "status", "dry_run", "created_at"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [f.name for f in QippImport._meta.fields]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    exclude = ["revision"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "ccg", "year", "value", "form", "cquin_value"]
    list_filter = ["year", "form", "ccg"]
    readonly_fields = ["revision"]
    inlines = [ContractLineInline]


class PooledContributionInline(admin.TabularInline):
    model = PooledContribution
    extra = 0
    exclude = ["revision"]


class PooledSchemeInline(admin.TabularInline):
    model = PooledScheme
    extra = 0
    exclude = ["revision"]


@admin.register(PooledBudget)
class PooledBudgetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "ccg", "year", "stated_total"]
    readonly_fields = ["revision"]
    inlines = [PooledContributionInline, PooledSchemeInline]


@admin.register(LocalityBudget)
class LocalityBudgetAdmin(SimpleHistoryAdmin):
    list_display = ["locality", "year", "month", "budget", "actual"]
    list_filter = ["year"]
    readonly_fields = ["revision"]
