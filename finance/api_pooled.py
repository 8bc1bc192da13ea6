"""`pooled-budgets/` (with `pooled-contributions/` and `pooled-schemes/`) and
`locality-budgets/`.

A pooled budget such as the Better Care Fund nests its contributions by partner and the
schemes it funds. Contributions are ranges where the source gives one (Rotherham: £19M
health, £3-4M council), so the total is a range too: `contributions_low` to
`contributions_high`. Locality budgets are budget against actual by month for a locality
(the `ccg` filter goes through the locality). Writes go through `finance.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api import ccg_field
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Locality, PartnerOrganisation
from plans.api_common import reject_changes_after_create, revision_field
from plans.api_plans import YearField

from . import qipp_figures
from .api_common import (
    HTTP_METHODS,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    computed_money,
    finance_write_schemas,
)
from .models import LocalityBudget, PooledBudget, PooledContribution, PooledScheme
from .rules import pounds

# --- Pooled budgets ------------------------------------------------------------------------


class NestedContributionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PooledContribution
        fields = ["id", "contributor", "partner", "amount_low", "amount_high", "note", "order",
                  "revision"]  # fmt: skip
        read_only_fields = fields


class NestedPooledSchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PooledScheme
        fields = ["id", "name", "amount", "description", "order", "revision"]
        read_only_fields = fields


def _total(rows, attr) -> str:
    return f"{pounds(sum((getattr(r, attr) or Decimal(0) for r in rows), Decimal(0))):.2f}"


class PooledBudgetSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    year = YearField(help_text="The financial year, e.g. 2015/16")
    host = ScopedPrimaryKeyRelatedField(
        model=PartnerOrganisation, required=False, allow_null=True,
        help_text="Id of the partner that hosts the pool (one of the CCG's partners)",
    )  # fmt: skip
    contributions = NestedContributionSerializer(
        many=True, read_only=True, help_text="Written at pooled-contributions/"
    )
    schemes = NestedPooledSchemeSerializer(
        many=True, read_only=True, help_text="Written at pooled-schemes/"
    )
    contributions_low = serializers.SerializerMethodField(
        help_text="The contributions' total at the low end of each range"
    )
    contributions_high = serializers.SerializerMethodField(
        help_text="The contributions' total at the high end of each range"
    )
    schemes_total = serializers.SerializerMethodField(help_text="What the schemes are given")
    revision = revision_field()

    class Meta:
        model = PooledBudget
        fields = ["id", "ccg", "year", "name", "stated_total", "host", "description", "source",
                  "contributions", "contributions_low", "contributions_high", "schemes",
                  "schemes_total", "revision"]  # fmt: skip
        validators: list = []  # the services name a duplicate pool in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs

    @extend_schema_field(computed_money("Contributions' total, low"))
    def get_contributions_low(self, pool) -> str:
        return _total(pool.contributions.all(), "amount_low")

    @extend_schema_field(computed_money("Contributions' total, high"))
    def get_contributions_high(self, pool) -> str:
        return _total(pool.contributions.all(), "amount_high")

    @extend_schema_field(computed_money("Schemes' total"))
    def get_schemes_total(self, pool) -> str:
        return _total(pool.schemes.all(), "amount")


class PooledBudgetCsvSerializer(PooledBudgetSerializer):
    class Meta(PooledBudgetSerializer.Meta):
        fields = [name for name in PooledBudgetSerializer.Meta.fields
                  if name not in ("contributions", "schemes")]  # fmt: skip


class PooledBudgetFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = YearFilter()

    class Meta:
        model = PooledBudget
        fields = ["ccg", "year", "host"]


@extend_schema_view(**finance_write_schemas(PooledBudgetSerializer))
class PooledBudgetViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                          mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Pooled budgets (the Better Care Fund): contributions by partner as ranges, the
    schemes funded, and the range of the contributions' total."""

    model = PooledBudget
    serializer_class = PooledBudgetSerializer
    csv_serializer_class = PooledBudgetCsvSerializer
    filterset_class = PooledBudgetFilter
    search_fields = ["name", "description"]
    ordering_fields = ["year", "name", "stated_total"]
    ordering = ["ccg__ods_code", "-year", "name", "id"]
    http_method_names = HTTP_METHODS
    csv_filename = "pooled-budgets"

    def get_queryset(self):
        user = self.request.user
        return (
            PooledBudget.objects.for_user(user)
            .select_related("ccg")
            .prefetch_related(
                Prefetch("contributions", queryset=PooledContribution.objects.for_user(user)),
                Prefetch("schemes", queryset=PooledScheme.objects.for_user(user)),
            )
        )


class PooledChildSerializer(serializers.ModelSerializer):
    pooled_budget = ScopedPrimaryKeyRelatedField(
        model=PooledBudget, help_text="Id of the pooled budget"
    )
    revision = revision_field()

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["pooled_budget"])
        return attrs


class PooledContributionSerializer(PooledChildSerializer):
    partner = ScopedPrimaryKeyRelatedField(
        model=PartnerOrganisation, required=False, allow_null=True,
        help_text="Id of the partner contributing (one of the CCG's), if it is one",
    )  # fmt: skip

    class Meta:
        model = PooledContribution
        fields = ["id", "pooled_budget", "contributor", "partner", "amount_low", "amount_high",
                  "note", "order", "revision"]  # fmt: skip
        extra_kwargs = {
            "amount_low": {"help_text": "The contribution, or the low end of its range"},
            "amount_high": {"help_text": "The high end of its range (equal when exact)"},
        }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        low = attrs.get("amount_low", getattr(self.instance, "amount_low", None))
        high = attrs.get("amount_high", getattr(self.instance, "amount_high", None))
        if low is not None and high is not None and high < low:
            raise serializers.ValidationError(
                {"amount_high": f"The high end ({high}) cannot be below the low end ({low})."}
            )
        return attrs


class PooledSchemeSerializer(PooledChildSerializer):
    class Meta:
        model = PooledScheme
        fields = ["id", "pooled_budget", "name", "amount", "description", "order", "revision"]


class PooledChildFilter(filters.FilterSet):
    ccg = ccg_filter("pooled_budget__ccg")
    year = YearFilter("pooled_budget__year")
    pooled_budget = IdFilter(field_name="pooled_budget_id", label="Pooled budget id")


class PooledContributionFilter(PooledChildFilter):
    class Meta:
        model = PooledContribution
        fields = ["ccg", "year", "pooled_budget", "partner"]


class PooledSchemeFilter(PooledChildFilter):
    class Meta:
        model = PooledScheme
        fields = ["ccg", "year", "pooled_budget"]


class PooledChildViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                         mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    http_method_names = HTTP_METHODS
    fixed_fields = ("pooled_budget",)
    ordering = ["pooled_budget__ccg__ods_code", "-pooled_budget__year", "pooled_budget_id",
                "order", "id"]  # fmt: skip

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)


@extend_schema_view(**finance_write_schemas(PooledContributionSerializer))
class PooledContributionViewSet(PooledChildViewSet):
    """What each partner puts into a pooled budget: an amount, or a range (£3-4M)."""

    model = PooledContribution
    serializer_class = PooledContributionSerializer
    filterset_class = PooledContributionFilter
    search_fields = ["contributor", "note"]
    ordering_fields = ["order", "amount_low", "amount_high"]


@extend_schema_view(**finance_write_schemas(PooledSchemeSerializer))
class PooledSchemeViewSet(PooledChildViewSet):
    """The schemes a pooled budget funds."""

    model = PooledScheme
    serializer_class = PooledSchemeSerializer
    filterset_class = PooledSchemeFilter
    search_fields = ["name", "description"]
    ordering_fields = ["order", "name", "amount"]


# --- Locality budgets ----------------------------------------------------------------------


class LocalityBudgetSerializer(serializers.ModelSerializer):
    locality = ScopedPrimaryKeyRelatedField(
        model=Locality, help_text="Id of the locality (one of a CCG's)"
    )
    locality_name = serializers.CharField(source="locality.name", read_only=True)
    ccg = serializers.CharField(source="locality.ccg.ods_code", read_only=True, label="CCG")
    year = YearField(help_text="The financial year, e.g. 2013/14")
    month = serializers.IntegerField(
        min_value=1, max_value=qipp_figures.MONTHS, help_text="1 is April (M1), 12 is March"
    )
    variance = serializers.SerializerMethodField(
        help_text="Actual minus budget (positive: spent more than budgeted); empty without "
        "an actual"
    )
    revision = revision_field()

    class Meta:
        model = LocalityBudget
        fields = ["id", "locality", "locality_name", "ccg", "year", "month", "budget",
                  "actual", "variance", "illustrative", "revision"]  # fmt: skip
        validators: list = []  # the services name a second budget for a month in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["locality"])
        return attrs

    @extend_schema_field(computed_money("Actual minus budget"))
    def get_variance(self, budget) -> str | None:
        if budget.actual is None:
            return None
        return f"{pounds(budget.actual - budget.budget):.2f}"


class LocalityBudgetFilter(filters.FilterSet):
    ccg = ccg_filter("locality__ccg")
    year = YearFilter()
    locality = IdFilter(field_name="locality_id", label="Locality id")

    class Meta:
        model = LocalityBudget
        fields = ["ccg", "year", "locality", "month", "illustrative"]


@extend_schema_view(**finance_write_schemas(LocalityBudgetSerializer))
class LocalityBudgetViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                            mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Budget against actual by month (M1 April to M12 March) for each locality."""

    model = LocalityBudget
    serializer_class = LocalityBudgetSerializer
    filterset_class = LocalityBudgetFilter
    search_fields = ["locality__name"]
    ordering_fields = ["year", "month", "budget", "actual"]
    ordering = ["locality__ccg__ods_code", "locality__name", "-year", "month", "id"]
    http_method_names = HTTP_METHODS
    fixed_fields = ("locality",)
    csv_filename = "locality-budgets"

    def get_queryset(self):
        return LocalityBudget.objects.for_user(self.request.user).select_related("locality__ccg")
