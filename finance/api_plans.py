"""`financial-plans/`, `stated-amounts/`, `budget-assumptions/`: a CCG's money for a year.

A financial plan carries its allocation and efficiency (QIPP) target as the plan states
them, with its stated amounts and budget assumptions nested (written through their own
resources), and two computed, read-only views: `rules` (each planning rule of the year with
the amount it implies, the amount the plan states and the difference, from
`finance.rules.rule_lines`) and `efficiency` (the target, the planned savings of the CCG's
QIPP schemes that year, and the gap). Reads follow `finance.queries`; writes go through
`finance.services` (planning managers of the CCG, and staff).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api import ccg_field
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from plans.api_common import reject_changes_after_create, revision_field
from plans.api_plans import YearField
from plans.models import Plan

from . import rules
from .api_common import (
    HTTP_METHODS,
    MONEY,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    computed_money,
    finance_write_schemas,
)
from .models import BudgetAssumption, FinancialPlan, PlanningRule, QippScheme, StatedAmount

# --- Nested rows ---------------------------------------------------------------------------


class StatedAmountSerializer(serializers.ModelSerializer):
    financial_plan = ScopedPrimaryKeyRelatedField(
        model=FinancialPlan, help_text="Id of the financial plan that states it"
    )
    revision = revision_field()

    class Meta:
        model = StatedAmount
        fields = ["id", "financial_plan", "rule_code", "label", "stated_percent",
                  "stated_amount", "note", "order", "revision"]  # fmt: skip
        extra_kwargs = {
            "rule_code": {"help_text": "The code of the year's planning rule it answers "
                                       "(surplus, contingency ...); empty for a line of its own"},
        }  # fmt: skip
        validators: list = []  # the services name a second amount for one rule in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["financial_plan"])
        return attrs


class BudgetAssumptionSerializer(serializers.ModelSerializer):
    financial_plan = ScopedPrimaryKeyRelatedField(
        model=FinancialPlan, help_text="Id of the financial plan built on it"
    )
    revision = revision_field()

    class Meta:
        model = BudgetAssumption
        fields = ["id", "financial_plan", "name", "percent", "amount", "note", "order",
                  "revision"]  # fmt: skip

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["financial_plan"])
        if self.instance is None and attrs.get("percent") is None and attrs.get("amount") is None:
            raise serializers.ValidationError(
                {"percent": "State the assumption as a percent, an amount or both."}
            )
        return attrs


class NestedStatedAmountSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatedAmount
        fields = ["id", "rule_code", "label", "stated_percent", "stated_amount", "note",
                  "order", "revision"]  # fmt: skip
        read_only_fields = fields


class NestedAssumptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetAssumption
        fields = ["id", "name", "percent", "amount", "note", "order", "revision"]
        read_only_fields = fields


# --- Computed views ------------------------------------------------------------------------


class RuleLineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The rule's code (surplus, contingency ...)")
    label = serializers.CharField()
    basis = serializers.CharField(
        allow_null=True, help_text="percent-of-allocation or per-head; empty for a line the "
        "plan states without a rule of the year"
    )  # fmt: skip
    rate = serializers.DecimalField(
        max_digits=9, decimal_places=3, allow_null=True,
        help_text="Percent (2.5 = 2.5%) or pounds per head",
    )  # fmt: skip
    implied = computed_money("What the rule implies for the allocation (or population)")
    stated = computed_money("What the plan states")
    stated_percent = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    difference = computed_money(
        "Stated minus implied (negative: the plan sets aside less than the rule implies)"
    )
    note = serializers.CharField(allow_blank=True)


class EfficiencySerializer(serializers.Serializer):
    target = computed_money("The efficiency (QIPP) target the plan states")
    planned_savings = computed_money("The planned savings of the CCG's QIPP schemes that year")
    gap = computed_money("Planned savings minus target (negative: the schemes fall short)")
    covered = serializers.BooleanField(
        allow_null=True, help_text="The schemes' planned savings reach the target"
    )


def rule_rows(plan, rules_of_year) -> list[dict]:
    stated = [rules.Stated(rule_code=s.rule_code, label=s.label, amount=s.stated_amount,
                           percent=s.stated_percent, note=s.note)
              for s in plan.stated_amounts.all()]  # fmt: skip
    lines = rules.rule_lines(
        rules_of_year, stated, allocation=plan.allocation,
        population=plan.population if plan.population is not None else plan.ccg.population,
    )  # fmt: skip
    return [{
        "code": line.code, "label": line.label,
        "basis": line.rule.basis if line.rule else None,
        "rate": line.rule.rate if line.rule else None,
        "implied": line.implied, "stated": line.stated, "stated_percent": line.stated_percent,
        "difference": line.difference, "note": line.note,
    } for line in lines]  # fmt: skip


def efficiency_of(plan) -> dict:
    gap = rules.efficiency_gap(plan.efficiency_target, [plan.planned_savings_total])
    return {"target": gap.target, "planned_savings": gap.planned, "gap": gap.gap,
            "covered": gap.covered}  # fmt: skip


# --- Financial plans -----------------------------------------------------------------------


class FinancialPlanSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    year = YearField(help_text="The financial year, e.g. 2013/14")
    plan = ScopedPrimaryKeyRelatedField(
        model=Plan, required=False, allow_null=True,
        help_text="Id of the plan document these figures come from (one of the CCG's)",
    )  # fmt: skip
    stated_amounts = NestedStatedAmountSerializer(
        many=True, read_only=True, help_text="What the plan states it sets aside (stated-amounts/)"
    )
    budget_assumptions = NestedAssumptionSerializer(
        source="assumptions", many=True, read_only=True,
        help_text="The assumptions the budget is built on (budget-assumptions/)",
    )  # fmt: skip
    rules = serializers.SerializerMethodField(
        help_text="Each planning rule of the year: implied amount, stated amount, difference"
    )
    efficiency = serializers.SerializerMethodField(
        help_text="The efficiency target against the planned savings of the year's schemes"
    )
    revision = revision_field()

    class Meta:
        model = FinancialPlan
        fields = ["id", "ccg", "year", "plan", "allocation", "population", "efficiency_target",
                  "efficiency_target_percent", "stated_contract_total", "notes", "source",
                  "illustrative", "stated_amounts", "budget_assumptions", "rules",
                  "efficiency", "revision"]  # fmt: skip
        validators: list = []  # the services name a second plan for a year in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs

    def _rules_of(self, year):
        book = self.context.get("planning_rules")
        return book(year) if book else []

    # The nested serializers are made once for every row of a list (building one builds
    # its fields, which cost more than the row itself).
    @cached_property
    def _rule_lines(self):
        return RuleLineSerializer(many=True)

    @cached_property
    def _efficiency(self):
        return EfficiencySerializer()

    @extend_schema_field(RuleLineSerializer(many=True))
    def get_rules(self, plan) -> list[dict]:
        return self._rule_lines.to_representation(rule_rows(plan, self._rules_of(plan.year)))

    @extend_schema_field(EfficiencySerializer)
    def get_efficiency(self, plan) -> dict:
        return self._efficiency.to_representation(efficiency_of(plan))


class FinancialPlanCsvSerializer(serializers.ModelSerializer):
    """A plan's row for a spreadsheet: its figures and the efficiency gap, nothing nested."""

    ccg = serializers.CharField(source="ccg.ods_code", label="CCG")
    year = YearField()
    planned_savings = serializers.DecimalField(source="planned_savings_total", **MONEY)
    efficiency_gap = serializers.SerializerMethodField()

    class Meta:
        model = FinancialPlan
        fields = ["id", "ccg", "year", "allocation", "population", "efficiency_target",
                  "efficiency_target_percent", "planned_savings", "efficiency_gap",
                  "stated_contract_total", "notes", "source", "illustrative"]  # fmt: skip

    def get_efficiency_gap(self, plan) -> str | None:
        gap = efficiency_of(plan)["gap"]
        return None if gap is None else str(gap)


class FinancialPlanFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = YearFilter()

    class Meta:
        model = FinancialPlan
        fields = ["ccg", "year", "illustrative"]


def planned_savings(user):
    """The planned savings of the plan's CCG's schemes that year (0 without schemes)."""
    schemes = (
        QippScheme.objects.for_user(user)
        .filter(ccg=OuterRef("ccg"), year=OuterRef("year"))
        .order_by()
        .values("ccg")
        .annotate(total=Sum("planned_saving"))
        .values("total")
    )
    return Coalesce(Subquery(schemes), Value(Decimal("0.00")), output_field=DecimalField(**MONEY))


@extend_schema_view(**finance_write_schemas(FinancialPlanSerializer))
class FinancialPlanViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                           mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Financial plans of a CCG by year: allocation, efficiency target, stated amounts,
    budget assumptions, and the planning rules' arithmetic beside what the plan states."""

    model = FinancialPlan
    serializer_class = FinancialPlanSerializer
    csv_serializer_class = FinancialPlanCsvSerializer
    filterset_class = FinancialPlanFilter
    search_fields = ["notes", "source", "ccg__name"]
    ordering_fields = ["year", "allocation", "efficiency_target"]
    ordering = ["ccg__ods_code", "-year", "id"]
    http_method_names = HTTP_METHODS
    csv_filename = "financial-plans"

    def get_queryset(self):
        user = self.request.user
        return (
            FinancialPlan.objects.for_user(user)
            .select_related("ccg")
            .annotate(planned_savings_total=planned_savings(user))
            .prefetch_related(
                Prefetch("stated_amounts", queryset=StatedAmount.objects.for_user(user)),
                Prefetch("assumptions", queryset=BudgetAssumption.objects.for_user(user)),
            )
        )

    @cached_property
    def _rules_by_year(self) -> dict[int, list[rules.Rule]]:
        book: dict[int, list[rules.Rule]] = {}
        for rule in PlanningRule.objects.for_user(self.request.user):
            book.setdefault(rule.year.start_year, []).append(
                rules.Rule(code=rule.code, label=rule.label, basis=rule.basis, rate=rule.rate)
            )
        return book

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "planning_rules": lambda year: self._rules_by_year.get(year.start_year, []),
        }


class ChildFilter(filters.FilterSet):
    ccg = ccg_filter("financial_plan__ccg")
    year = YearFilter("financial_plan__year")
    financial_plan = IdFilter(field_name="financial_plan_id",
                                          label="Financial plan id")  # fmt: skip


class StatedAmountFilter(ChildFilter):
    class Meta:
        model = StatedAmount
        fields = ["ccg", "year", "financial_plan", "rule_code"]


class BudgetAssumptionFilter(ChildFilter):
    class Meta:
        model = BudgetAssumption
        fields = ["ccg", "year", "financial_plan"]


class PlanChildViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin, mixins.ListModelMixin,
                       viewsets.GenericViewSet):  # fmt: skip
    fixed_fields = ("financial_plan",)
    http_method_names = HTTP_METHODS
    ordering = ["financial_plan__ccg__ods_code", "-financial_plan__year", "financial_plan_id",
                "order", "id"]  # fmt: skip

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


@extend_schema_view(**finance_write_schemas(StatedAmountSerializer))
class StatedAmountViewSet(PlanChildViewSet):
    """What a financial plan states it sets aside: "A 1% surplus (£6.1m)", answering the
    year's planning rule by `rule_code`, or a line of its own."""

    model = StatedAmount
    serializer_class = StatedAmountSerializer
    filterset_class = StatedAmountFilter
    search_fields = ["label", "note", "rule_code"]
    ordering_fields = ["order", "stated_amount"]


@extend_schema_view(**finance_write_schemas(BudgetAssumptionSerializer))
class BudgetAssumptionViewSet(PlanChildViewSet):
    """The assumptions a budget is built on: uplift 3.6%, demography 1.15%, tariff deflator
    1.5%, or an amount."""

    model = BudgetAssumption
    serializer_class = BudgetAssumptionSerializer
    filterset_class = BudgetAssumptionFilter
    search_fields = ["name", "note"]
    ordering_fields = ["order", "name"]
