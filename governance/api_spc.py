"""`POST /api/v1/spc/`: the stateless SPC calculator, the same engine the pages use, for other
systems; and the shape of an SPC result in the schema, shared with the stored series
(`GET standards/<code>/spc/`)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from plans.api_common import PlanRefusalSerializer

from .api_common import GovernanceApiMixin
from .measurement_import.cells import period_label
from .spc import DIRECTIONS, NEITHER, SpcResult, SpcSettings, calculate

MAX_POINTS = 5000
# Values and targets are bounded so the limits (3 moving ranges out) stay finite floats.
MAX_MAGNITUDE = 1e15
ERROR = OpenApiResponse(PlanRefusalSerializer, description="Input the engine cannot chart")


def settings_from(data: dict) -> SpcSettings:
    """SpcSettings from the request's optional settings (the engine's defaults otherwise)."""
    names = ("run_length", "trend_length", "minimum_points", "screen_moving_ranges")
    return SpcSettings(**{name: data[name] for name in names if data.get(name) is not None})


def spc_body(result: SpcResult) -> dict:
    """The result as JSON, dates written as periods (`2016-04`)."""
    body = result.as_dict()
    for point, original in zip(body["points"], result.points, strict=True):
        if isinstance(original.period, dt.date):
            point["period"] = period_label(original.period)
    return body


# --- The result, for the schema ----------------------------------------------------------------


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string"}],
     "description": "The point's period: its label (`2016-04`), or its number from 1"}
)  # fmt: skip
class PeriodValueField(serializers.Field):
    def to_representation(self, value):
        return value


class SpcSettingsSerializer(serializers.Serializer):
    run_length = serializers.IntegerField()
    trend_length = serializers.IntegerField()
    minimum_points = serializers.IntegerField()
    screen_moving_ranges = serializers.BooleanField()


class SpcIconSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="variation or assurance")
    code = serializers.CharField(
        help_text="e.g. common_cause, improvement_high, concern_low, consistently_pass, "
        "consistently_fail, hit_and_miss"
    )
    label = serializers.CharField(help_text="The icon in words")
    colour = serializers.CharField(help_text="Making Data Count colour, e.g. #00B0F0")
    letter = serializers.CharField(help_text="Drawn in the circle: H, L, P, F, ? or none")


class SpcSegmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    start = serializers.IntegerField(help_text="Index of its first point")
    end = serializers.IntegerField(help_text="Index of its last point")
    baseline_points = serializers.IntegerField(help_text="Points the lines come from")
    mean = serializers.FloatField()
    mean_moving_range = serializers.FloatField(allow_null=True)
    upper_limit = serializers.FloatField(allow_null=True)
    lower_limit = serializers.FloatField(allow_null=True)
    upper_near = serializers.FloatField(allow_null=True, help_text="Two thirds to the limit")
    lower_near = serializers.FloatField(allow_null=True)
    screened_moving_ranges = serializers.IntegerField()
    trial = serializers.BooleanField(help_text="Too few points: trial limits")


class SpcPointSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    period = PeriodValueField()
    value = serializers.FloatField()
    segment = serializers.IntegerField()
    mean = serializers.FloatField()
    upper_limit = serializers.FloatField(allow_null=True)
    lower_limit = serializers.FloatField(allow_null=True)
    upper_near = serializers.FloatField(allow_null=True)
    lower_near = serializers.FloatField(allow_null=True)
    outside_limits = serializers.BooleanField()
    run = serializers.BooleanField()
    trend = serializers.BooleanField()
    two_of_three = serializers.BooleanField()
    trend_direction = serializers.CharField(allow_null=True, help_text="rising or falling")
    special_cause = serializers.CharField(
        help_text="common_cause, improvement, concern or neither (no direction)"
    )
    side = serializers.CharField(allow_null=True, help_text="high or low (special cause)")
    rules = serializers.ListField(child=serializers.CharField(), help_text="Rules it is part of")
    colour = serializers.CharField()


class SpcResultSerializer(serializers.Serializer):
    direction = serializers.CharField(help_text="higher, lower or neither is better")
    target = serializers.FloatField(allow_null=True)
    settings = SpcSettingsSerializer()
    baseline_points = serializers.IntegerField(allow_null=True)
    rebase_indexes = serializers.ListField(child=serializers.IntegerField())
    trial_limits = serializers.BooleanField()
    variation = SpcIconSerializer(allow_null=True)
    assurance = SpcIconSerializer(allow_null=True, help_text="Needs a target and a direction")
    segments = SpcSegmentSerializer(many=True)
    points = SpcPointSerializer(many=True)


# --- The calculator ---------------------------------------------------------------------------


class SpcSettingsInput(serializers.Serializer):
    run_length = serializers.IntegerField(
        min_value=2, required=False, help_text="Points in a run (default 7; NHS England: 6)"
    )
    trend_length = serializers.IntegerField(
        min_value=2, required=False, help_text="Points in a trend (default 7; NHS England: 6)"
    )
    minimum_points = serializers.IntegerField(
        min_value=1, required=False, help_text="Fewer points than this: trial limits (12)"
    )
    screen_moving_ranges = serializers.BooleanField(
        required=False, help_text="Drop moving ranges of 3.267 × the mean or more (NHS-R)"
    )


class SpcRequestSerializer(SpcSettingsInput):
    values = serializers.ListField(
        child=serializers.FloatField(min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE),
        max_length=MAX_POINTS,
        help_text="The series in time order",
    )
    periods = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=MAX_POINTS,
        help_text="Labels of the points, as many as values (default 1, 2, 3 ...)",
    )
    direction = serializers.ChoiceField(
        choices=DIRECTIONS, default=NEITHER, help_text="Which way is better"
    )
    target = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=-MAX_MAGNITUDE,
        max_value=MAX_MAGNITUDE,
    )
    rebase_at = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text="0-based positions of the first point of each new segment",
    )
    baseline_points = serializers.IntegerField(
        min_value=2,
        required=False,
        allow_null=True,
        help_text="Compute each segment's lines from its first N points and extend them",
    )

    def validate(self, attrs):
        periods = attrs.get("periods")
        if periods is not None and len(periods) != len(attrs["values"]):
            raise serializers.ValidationError({"periods": "Give as many periods as values."})
        return attrs


class SpcCalculatorView(GovernanceApiMixin, APIView):
    """Statistical process control of any series (XmR chart, Making Data Count rules): the
    centre line, limits, per-point special-cause flags, variation and assurance icons.
    Writes nothing: any signed-in user (or token) may use it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="spc_calculate",
        request=SpcRequestSerializer,
        responses={200: SpcResultSerializer, 400: ERROR},
        tags=["spc"],
    )
    def post(self, request):
        serializer = SpcRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        values = data["values"]
        points = list(zip(data["periods"], values, strict=True)) if "periods" in data else values
        result = calculate(
            points,
            data["direction"],
            data.get("target"),
            rebase_at=data.get("rebase_at", ()),
            baseline_points=data.get("baseline_points"),
            settings=settings_from(data),
        )
        return Response(spc_body(result))
