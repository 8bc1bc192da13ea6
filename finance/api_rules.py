"""`planning-rules/`: the national planning rules of each year (surplus 1%, contingency 0.5%,
transformation reserve 2%, running cost allowance £25 a head in 2013/14), read-only
reference data loaded from data files; and `financial-challenges/`: a CCG's multi-year
efficiency challenge (Rotherham: £75M over 2014-2019), written through `finance.services`.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api import ccg_field
from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_csv import CSVListMixin
from plans.api_common import reject_changes_after_create, revision_field
from plans.api_plans import YearField

from .api_common import (
    HTTP_METHODS,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    finance_write_schemas,
    parse_year,
)
from .models import FinancialChallenge, PlanningRule, RuleBasis

# --- Planning rules ------------------------------------------------------------------------


class PlanningRuleSerializer(serializers.ModelSerializer):
    year = YearField(help_text="The financial year the rule applies to, e.g. 2013/14")

    class Meta:
        model = PlanningRule
        fields = ["id", "year", "code", "label", "basis", "rate", "recurrent", "description",
                  "source", "order"]  # fmt: skip
        read_only_fields = fields


class PlanningRuleFilter(filters.FilterSet):
    year = YearFilter()
    basis = filters.ChoiceFilter(choices=RuleBasis.choices)

    class Meta:
        model = PlanningRule
        fields = ["year", "code", "basis", "recurrent"]


class PlanningRuleViewSet(ConditionalRequestsMixin, CSVListMixin, FinanceApiMixin,
                          mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """The planning rules of each financial year as national reference data (percent of
    allocation, or pounds per head). Read by anyone holding a role; changed only through
    the reviewed data files."""

    serializer_class = PlanningRuleSerializer
    filterset_class = PlanningRuleFilter
    search_fields = ["code", "label", "description"]
    ordering_fields = ["year", "order", "code"]
    ordering = ["-year", "order", "code", "id"]
    http_method_names = ["get", "head", "options"]
    csv_filename = "planning-rules"

    def get_queryset(self):
        return PlanningRule.objects.for_user(self.request.user)


# --- Financial challenges ------------------------------------------------------------------


class FinancialChallengeSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    first_year = YearField(help_text="The first financial year, e.g. 2014/15")
    last_year = YearField(help_text="The last financial year, e.g. 2018/19")
    years = serializers.SerializerMethodField(help_text="The span as plans write it: 2014-19")
    revision = revision_field()

    class Meta:
        model = FinancialChallenge
        fields = ["id", "ccg", "first_year", "last_year", "years", "amount", "description",
                  "source", "revision"]  # fmt: skip

    def get_years(self, challenge) -> str:
        return f"{challenge.first_year.start_year}-{(challenge.last_year.start_year + 1) % 100:02d}"

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        first = attrs.get("first_year", getattr(self.instance, "first_year", None))
        last = attrs.get("last_year", getattr(self.instance, "last_year", None))
        if first is not None and last is not None and last < first:
            raise serializers.ValidationError(
                {"last_year": f"The last year ({last.label}) cannot come before the first "
                              f"({first.label})."}
            )  # fmt: skip
        return attrs


class FinancialChallengeFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = filters.CharFilter(method="filter_year", label="A financial year the span includes")

    class Meta:
        model = FinancialChallenge
        fields = ["ccg", "year"]

    def filter_year(self, queryset, name, value):
        year = parse_year(value, name)
        return queryset.filter(first_year__lte=year, last_year__gte=year)


@extend_schema_view(**finance_write_schemas(FinancialChallengeSerializer))
class FinancialChallengeViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                                mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Multi-year financial challenges of a CCG: the amount to find over a span of years."""

    model = FinancialChallenge
    serializer_class = FinancialChallengeSerializer
    filterset_class = FinancialChallengeFilter
    search_fields = ["description", "source"]
    ordering_fields = ["first_year", "last_year", "amount"]
    ordering = ["ccg__ods_code", "first_year", "id"]
    http_method_names = HTTP_METHODS
    csv_filename = "financial-challenges"

    def get_queryset(self):
        return FinancialChallenge.objects.for_user(self.request.user).select_related("ccg")
