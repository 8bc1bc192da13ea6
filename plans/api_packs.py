"""`packs/`: PDF pack builds. `POST {"kind", "plan" or "meeting", "force"?}` queues a build
and answers 202 with its record; `GET packs/<id>/` is its status and progress; `GET
packs/<id>/file/` the PDF once done; `POST packs/<id>/publish/` `{"published": true}` makes
a finished pack of a published plan downloadable by scrutiny members (and the public when
the plan is public). When the build queue (Redis) cannot be reached, `POST` still answers
202: the build is recorded, stays queued with a step saying so, and is sent by the workers'
sweep once the queue is back (plans/packs/recovery.py). Lists filter by `ccg`, `kind`,
`status`, `plan` and take `format=csv`.
"""

from __future__ import annotations

from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_csv import CSVListMixin
from commissioning.api_filters import IdFilter

from .api_common import ERROR, REFUSALS, PlanApiMixin, error_body
from .models import PackBuild, PackKind, PackStatus, Plan
from .packs.registry import subject_for_kind
from .services import packs as services
from .tasks import QUEUE_UNAVAILABLE, queue_was_unavailable


class PackFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    kind = filters.ChoiceFilter(choices=PackKind.choices)
    status = filters.ChoiceFilter(choices=PackStatus.choices)
    plan = IdFilter(field_name="plan_id", label="The plan")
    published = filters.BooleanFilter()

    class Meta:
        model = PackBuild
        fields = ["ccg", "kind", "status", "plan", "published"]


class PackSerializer(serializers.ModelSerializer):
    ccg = serializers.SlugRelatedField(slug_field="ods_code", read_only=True,
                                       help_text="CCG ODS code")  # fmt: skip
    plan = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    meeting = serializers.SerializerMethodField(help_text="The meeting (governing body packs)")
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    file_url = serializers.SerializerMethodField(help_text="Where to download the PDF, once done")

    class Meta:
        model = PackBuild
        fields = ["id", "ccg", "kind", "plan", "meeting", "title", "status", "progress", "step",
                  "error", "attempts", "requested_by", "forced", "queued_at", "started_at",
                  "finished_at", "html_seconds", "pdf_seconds", "page_count", "size", "sha256",
                  "input_hash", "reused_from", "published", "published_at", "file_url"]  # fmt: skip
        read_only_fields = fields

    def get_meeting(self, build) -> int | None:
        return build.subject_id if build.subject_type_id else None

    def get_file_url(self, build) -> str | None:
        if build.status != PackStatus.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/packs/{build.pk}/file/"
        return request.build_absolute_uri(path) if request else path


class PackRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PackKind.choices)
    plan = serializers.IntegerField(required=False, help_text="The plan (plan kinds)")
    meeting = serializers.IntegerField(required=False,
                                       help_text="The meeting (governing body packs)")  # fmt: skip
    force = serializers.BooleanField(
        default=False, help_text="Build again even if nothing has changed"
    )


class PublishSerializer(serializers.Serializer):
    published = serializers.BooleanField(default=True)


@extend_schema_view(
    create=extend_schema(request=PackRequestSerializer,
                         responses={202: PackSerializer, **REFUSALS, 404: ERROR}),
    file=extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERROR,
                                  409: ERROR}),
    publish=extend_schema(request=PublishSerializer, responses={200: PackSerializer, **REFUSALS}),
)  # fmt: skip
class PackViewSet(
    ConditionalRequestsMixin,
    PlanApiMixin,
    CSVListMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """PDF pack builds: start one, follow its progress, download the file."""

    serializer_class = PackSerializer
    filterset_class = PackFilter
    ordering_fields = ["queued_at", "finished_at", "kind", "status"]
    search_fields = ["title"]
    csv_filename = "packs"

    def get_queryset(self):
        return PackBuild.objects.for_user(self.request.user).select_related(
            "ccg", "requested_by").order_by("-queued_at", "-pk")  # fmt: skip

    def create(self, request, *args, **kwargs):
        given = PackRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        kind = given.validated_data["kind"]
        plan = subject = None
        if given.validated_data.get("plan") is not None:
            plan = Plan.objects.for_user(request.user).filter(
                pk=given.validated_data["plan"]).select_related("ccg").first()  # fmt: skip
            if plan is None:
                raise NotFound("No plan with that id that you can read.")
        registered = subject_for_kind(kind)
        if registered is not None and given.validated_data.get(registered.api_field) is not None:
            subject = registered.lookup(request.user, given.validated_data[registered.api_field])
            if subject is None:
                raise NotFound(f"No {registered.api_field} with that id that you can read.")
        build = services.request_build(request.user, kind=kind, plan=plan, subject=subject,
                                       force=given.validated_data["force"])  # fmt: skip
        if queue_was_unavailable(build):  # it could not be sent: say so (it stays queued)
            build.step = QUEUE_UNAVAILABLE
        return Response(self.get_serializer(build).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        build = self.get_object()
        if build.status != PackStatus.DONE or not build.file:
            return Response(error_body(f"The pack is {build.get_status_display().lower()}: "
                                       "there is no file yet.", "not-ready"),
                            status=status.HTTP_409_CONFLICT)  # fmt: skip
        handle = services.open_file(build)
        if handle is None:
            return Response(error_body(services.FILE_MISSING, "file-missing"),
                            status=status.HTTP_404_NOT_FOUND)  # fmt: skip
        response = FileResponse(handle, content_type="application/pdf",
                                as_attachment=True, filename=build.download_name)  # fmt: skip
        response["ETag"] = f'"{build.sha256}"'
        return response

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        build = self.get_object()
        given = PublishSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.set_published(request.user, build, given.validated_data["published"])
        return Response(self.get_serializer(build).data)
