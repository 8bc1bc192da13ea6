"""REST API for organisations and people: read within scope, written by staff."""

from django.db.models import Count, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from commissioning.api_filters import IdFilter

from .api_concurrency import ConditionalRequestsMixin
from .api_fields import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from .governing_body import check_composition
from .models import (
    CCG,
    GoverningBodyMembership,
    Locality,
    PartnerOrganisation,
    Person,
    Practice,
    Provider,
)
from .models.organisations import PartnerKind, PracticeStatus, ProviderKind, open_practices
from .models.people import SeatCategory
from .years import FinancialYear


class FinancialYearSerializerField(serializers.Field):
    """A financial year as its label, `2015/16`."""

    default_error_messages = {"invalid": "{message}"}

    def to_representation(self, value):
        return FinancialYear.parse(value).label

    def to_internal_value(self, data):
        try:
            return FinancialYear.parse(data)
        except (TypeError, ValueError) as error:
            self.fail("invalid", message=str(error))


def ccg_field(**kwargs):
    return ScopedSlugRelatedField(
        model=CCG, slug_field="ods_code", help_text="CCG ODS code", **kwargs
    )


class CCGFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ods_code", label="CCG ODS code")
    region = filters.CharFilter(lookup_expr="iexact")
    open = filters.BooleanFilter(field_name="close_date", lookup_expr="isnull", label="Open")

    class Meta:
        model = CCG
        fields = ["ccg", "region", "open"]


class CompositionWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CCGSerializer(serializers.ModelSerializer):
    successor = ScopedSlugRelatedField(
        model=CCG, slug_field="ods_code", required=False, allow_null=True
    )
    practice_count = serializers.IntegerField(read_only=True)
    locality_count = serializers.IntegerField(read_only=True)
    composition_warnings = serializers.SerializerMethodField()

    class Meta:
        model = CCG
        fields = [
            "ods_code",
            "name",
            "short_name",
            "region",
            "population",
            "population_as_of",
            "population_note",
            "address",
            "website",
            "open_date",
            "close_date",
            "successor",
            "source_note",
            "practice_count",
            "locality_count",
            "composition_warnings",
        ]

    @extend_schema_field(CompositionWarningSerializer(many=True))
    def get_composition_warnings(self, ccg):
        seats = getattr(ccg, "current_seats", None)
        if seats is None:
            seats = list(ccg.governing_body.current())
        return [{"code": w.code, "message": w.message} for w in check_composition(seats)]


class CCGViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """NHS Clinical Commissioning Groups, addressed by ODS code (e.g. `03L`)."""

    serializer_class = CCGSerializer
    lookup_field = "ods_code"
    filterset_class = CCGFilter
    search_fields = ["name", "short_name", "ods_code"]
    ordering_fields = ["name", "ods_code", "population"]
    ordering = ["name"]

    def get_queryset(self):
        return (
            CCG.objects.for_user(self.request.user)
            .select_related("successor")
            .annotate(
                practice_count=Count(
                    "practices", filter=open_practices("practices__"), distinct=True
                ),
                locality_count=Count("localities", distinct=True),
            )
            .prefetch_related(
                Prefetch(
                    "governing_body",
                    queryset=GoverningBodyMembership.objects.for_user(self.request.user).current(),
                    to_attr="current_seats",
                )
            )
        )


class LocalityFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")

    class Meta:
        model = Locality
        fields = ["ccg", "code"]


class LocalitySerializer(serializers.ModelSerializer):
    ccg = ccg_field()
    practice_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Locality
        fields = [
            "id",
            "ccg",
            "name",
            "code",
            "population",
            "population_note",
            "stated_practice_count",
            "practice_count",
        ]


class LocalityViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Localities of a CCG (e.g. Southern Derbyshire's DAC, DCN, AVSD and SD)."""

    serializer_class = LocalitySerializer
    filterset_class = LocalityFilter
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code", "population"]
    ordering = ["ccg__name", "name"]

    def get_queryset(self):
        return (
            Locality.objects.for_user(self.request.user)
            .select_related("ccg")
            .annotate(practice_count=Count("practices", filter=open_practices("practices__")))
        )


class PracticeFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    locality = IdFilter(field_name="locality_id")
    status = filters.ChoiceFilter(choices=PracticeStatus.choices)
    open = filters.BooleanFilter(field_name="close_date", lookup_expr="isnull", label="Open")

    class Meta:
        model = Practice
        fields = [
            "ccg",
            "locality",
            "status",
            "open",
            "is_placeholder",
            "ods_code_is_stand_in",
            "postcode",
        ]


class PracticeSerializer(serializers.ModelSerializer):
    ccg = ccg_field(required=False, allow_null=True)
    locality = ScopedPrimaryKeyRelatedField(model=Locality, required=False, allow_null=True)
    latest_list_size = serializers.IntegerField(read_only=True, allow_null=True)
    latest_list_size_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Practice
        fields = [
            "ods_code",
            "name",
            "address",
            "town",
            "postcode",
            "ccg",
            "locality",
            "status",
            "open_date",
            "close_date",
            "telephone",
            "is_placeholder",
            "ods_code_is_stand_in",
            "source_note",
            "latest_list_size",
            "latest_list_size_date",
        ]

    def validate(self, attrs):
        ccg = attrs.get("ccg", getattr(self.instance, "ccg", None))
        locality = attrs.get("locality", getattr(self.instance, "locality", None))
        if locality is not None and (ccg is None or locality.ccg_id != ccg.pk):
            raise serializers.ValidationError({"locality": "The locality belongs to another CCG."})
        return attrs


class PracticeViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """GP member practices, addressed by ODS code (e.g. `C87001`)."""

    serializer_class = PracticeSerializer
    lookup_field = "ods_code"
    filterset_class = PracticeFilter
    search_fields = ["name", "ods_code", "town", "postcode"]
    ordering_fields = ["name", "ods_code", "town"]
    ordering = ["name"]

    def get_queryset(self):
        return (
            Practice.objects.for_user(self.request.user)
            .select_related("ccg", "locality")
            .with_latest_list_size()
        )


class ProviderFilter(filters.FilterSet):
    ccg = filters.CharFilter(
        field_name="ccg_links__ccg__ods_code", label="Commissioned by (CCG ODS code)"
    )
    kind = filters.ChoiceFilter(choices=ProviderKind.choices)

    class Meta:
        model = Provider
        fields = ["ccg", "kind"]


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "ods_code",
            "name",
            "short_name",
            "kind",
            "website",
            "open_date",
            "close_date",
            "source_note",
        ]


class ProviderViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """NHS trusts and other providers, addressed by ODS code (e.g. `RFR`)."""

    serializer_class = ProviderSerializer
    lookup_field = "ods_code"
    filterset_class = ProviderFilter
    search_fields = ["name", "short_name", "ods_code"]
    ordering_fields = ["name", "ods_code", "kind"]
    ordering = ["name"]

    def get_queryset(self):
        return Provider.objects.for_user(self.request.user).distinct()


class PartnerFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    kind = filters.ChoiceFilter(choices=PartnerKind.choices)

    class Meta:
        model = PartnerOrganisation
        fields = ["ccg", "kind"]


class PartnerSerializer(serializers.ModelSerializer):
    ccg = ccg_field()

    class Meta:
        model = PartnerOrganisation
        fields = ["id", "ccg", "name", "kind", "website", "note"]


class PartnerViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Partner bodies: local authorities, Health and Wellbeing Boards, scrutiny committees."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind"]
    ordering = ["ccg__name", "kind", "name"]

    def get_queryset(self):
        return PartnerOrganisation.objects.for_user(self.request.user).select_related("ccg")


class SeatSerializer(serializers.ModelSerializer):
    ccg = ccg_field()
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)
    person_name = serializers.CharField(
        source="person.name", read_only=True, default=None, allow_null=True
    )
    category = serializers.ChoiceField(choices=SeatCategory.choices)

    class Meta:
        model = GoverningBodyMembership
        fields = [
            "id",
            "ccg",
            "person",
            "person_name",
            "title",
            "category",
            "is_chair",
            "voting",
            "lead_areas",
            "start_date",
            "end_date",
            "order",
            "note",
        ]
        # The "one current seat per person" constraint is conditional (vacant seats have no
        # person), so DRF's generated validator would wrongly require a person: check below.
        validators: list = []

    def validate(self, attrs):
        ccg = attrs.get("ccg", getattr(self.instance, "ccg", None))
        person = attrs.get("person", getattr(self.instance, "person", None))
        end_date = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if person is not None and end_date is None:
            taken = GoverningBodyMembership.objects.filter(  # access: uniqueness check only
                ccg=ccg, person=person, end_date__isnull=True
            ).exclude(pk=getattr(self.instance, "pk", None))
            if taken.exists():
                raise serializers.ValidationError(
                    {"person": "This person already holds a current seat on this governing body."}
                )
        if person is not None and ccg is not None and person.ccg_id != ccg.pk:
            raise serializers.ValidationError(
                {"person": "This person is recorded under another CCG."}
            )
        if person is None and attrs.get("is_chair"):
            raise serializers.ValidationError({"is_chair": "A vacant seat cannot be the chair."})
        return attrs


class SeatFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    category = filters.ChoiceFilter(choices=SeatCategory.choices)

    class Meta:
        model = GoverningBodyMembership
        fields = ["ccg", "category", "voting"]


class SeatViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """Seats on CCG governing bodies; a seat without a person is a vacancy."""

    serializer_class = SeatSerializer
    filterset_class = SeatFilter
    ordering_fields = ["order", "title"]
    ordering = ["ccg__name", "order", "id"]

    def get_queryset(self):
        return GoverningBodyMembership.objects.for_user(self.request.user).select_related(
            "ccg", "person"
        )


class PersonFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")

    class Meta:
        model = Person
        fields = ["ccg"]


class PersonSerializer(serializers.ModelSerializer):
    ccg = ccg_field()

    class Meta:
        model = Person
        fields = ["id", "ccg", "name", "job_title", "email", "note"]


class PersonViewSet(ConditionalRequestsMixin, viewsets.ModelViewSet):
    """People named in a CCG's records: governing body members, leads, officers."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["name", "job_title"]
    ordering_fields = ["name"]
    ordering = ["ccg__name", "name"]

    def get_queryset(self):
        return Person.objects.for_user(self.request.user).select_related("ccg")


def register_api() -> None:
    from .api_registry import register

    register("ccgs", CCGViewSet, basename="ccg")
    register("localities", LocalityViewSet, basename="locality")
    register("practices", PracticeViewSet, basename="practice")
    register("providers", ProviderViewSet, basename="provider")
    register("partners", PartnerViewSet, basename="partner")
    register("people", PersonViewSet, basename="person")
    register("governing-body-seats", SeatViewSet, basename="governing-body-seat")
