"""`contracts/` and `contract-lines/`: provider contracts per year and their service lines.

A contract's value is as stated (Rotherham: TRFT £160M); its lines (£130M acute and
hospital, £30M community) are nested read-only, with their total and the difference from
the stated value computed beside it, never written over it. Lines are written through
`contract-lines/`. Writes go through `finance.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api import ccg_field
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Provider
from plans.api_common import reject_changes_after_create, revision_field
from plans.api_plans import YearField

from .api_common import (
    HTTP_METHODS,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    computed_money,
    finance_write_schemas,
)
from .models import Contract, ContractForm, ContractLine
from .rules import pounds


class NestedLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractLine
        fields = ["id", "name", "value", "order", "revision"]
        read_only_fields = fields


def lines_total(contract) -> Decimal:
    return pounds(sum((line.value for line in contract.lines.all()), Decimal(0)))


class ContractSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    year = YearField(help_text="The financial year, e.g. 2015/16")
    provider = ScopedSlugRelatedField(
        model=Provider, slug_field="ods_code", help_text="The provider's ODS code (RFR)"
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    lines = NestedLineSerializer(many=True, read_only=True, help_text="Written at contract-lines/")
    lines_total = serializers.SerializerMethodField(help_text="The sum of the lines' values")
    difference = serializers.SerializerMethodField(
        help_text="The lines' total minus the stated value (negative: the lines account for "
        "less than the contract's value); empty without lines"
    )
    revision = revision_field()

    class Meta:
        model = Contract
        fields = ["id", "ccg", "year", "provider", "provider_name", "title", "value", "form",
                  "cquin_value", "notes", "source", "illustrative", "lines", "lines_total",
                  "difference", "revision"]  # fmt: skip
        validators: list = []  # the services name a second contract with a provider in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs

    @staticmethod
    def _money(value) -> str | None:
        return None if value is None else f"{value:.2f}"

    @extend_schema_field(computed_money("The sum of the lines' values"))
    def get_lines_total(self, contract) -> str:
        return self._money(lines_total(contract))

    @extend_schema_field(computed_money("Lines' total minus stated value"))
    def get_difference(self, contract) -> str | None:
        if not contract.lines.all():
            return None
        return self._money(pounds(lines_total(contract) - contract.value))


class ContractCsvSerializer(ContractSerializer):
    class Meta(ContractSerializer.Meta):
        fields = [name for name in ContractSerializer.Meta.fields if name != "lines"]


class ContractFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = YearFilter()
    provider = filters.CharFilter(field_name="provider__ods_code", lookup_expr="iexact",
                                  label="Provider ODS code")  # fmt: skip
    form = filters.ChoiceFilter(choices=ContractForm.choices)

    class Meta:
        model = Contract
        fields = ["ccg", "year", "provider", "form", "illustrative"]


@extend_schema_view(**finance_write_schemas(ContractSerializer))
class ContractViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin, mixins.ListModelMixin,
                      viewsets.GenericViewSet):  # fmt: skip
    """Provider contracts by year: value as stated, form (block, tariff ...), CQUIN value,
    and the service lines with their total beside the stated value."""

    model = Contract
    serializer_class = ContractSerializer
    csv_serializer_class = ContractCsvSerializer
    filterset_class = ContractFilter
    search_fields = ["title", "notes", "provider__name", "provider__ods_code"]
    ordering_fields = ["year", "value", "cquin_value"]
    ordering = ["ccg__ods_code", "-year", "-value", "id"]
    http_method_names = HTTP_METHODS
    csv_filename = "contracts"

    def get_queryset(self):
        user = self.request.user
        return (
            Contract.objects.for_user(user)
            .select_related("ccg", "provider")
            .prefetch_related(Prefetch("lines", queryset=ContractLine.objects.for_user(user)))
        )


# --- Lines ---------------------------------------------------------------------------------


class ContractLineSerializer(serializers.ModelSerializer):
    contract = ScopedPrimaryKeyRelatedField(model=Contract, help_text="Id of the contract")
    revision = revision_field()

    class Meta:
        model = ContractLine
        fields = ["id", "contract", "name", "value", "order", "revision"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["contract"])
        return attrs


class ContractLineFilter(filters.FilterSet):
    ccg = ccg_filter("contract__ccg")
    year = YearFilter("contract__year")
    contract = IdFilter(field_name="contract_id", label="Contract id")
    provider = filters.CharFilter(field_name="contract__provider__ods_code",
                                  lookup_expr="iexact", label="Provider ODS code")  # fmt: skip

    class Meta:
        model = ContractLine
        fields = ["ccg", "year", "contract", "provider"]


@extend_schema_view(**finance_write_schemas(ContractLineSerializer))
class ContractLineViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                          mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Service lines of a contract: "Community Services", £30M."""

    model = ContractLine
    serializer_class = ContractLineSerializer
    filterset_class = ContractLineFilter
    search_fields = ["name"]
    ordering_fields = ["order", "value", "name"]
    ordering = ["contract__ccg__ods_code", "-contract__year", "contract_id", "order", "id"]
    http_method_names = HTTP_METHODS
    fixed_fields = ("contract",)
    csv_filename = "contract-lines"

    def get_queryset(self):
        return ContractLine.objects.for_user(self.request.user)
