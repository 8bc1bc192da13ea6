"""`qipp-imports/`: QIPP reports (CSV or XLSX) brought in for a CCG and year.

`POST` (multipart `file`, `ccg`, `year`, `dry_run`) reads the file through
`finance.qipp_io.import_qipp`: all or nothing, answered with the row-by-row result, 201 when
it succeeded and 400 (with the same record, naming the row and column of every problem)
when it failed. A dry run writes nothing but the record and its preview;
`POST qipp-imports/<id>/apply/` then applies it. Planning managers of the CCG (and staff)
import; the CCG's readers see its imports.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.models import CCG
from commissioning.models.imports import ImportStatus
from plans.api_common import REFUSALS, PlanRefusalSerializer
from plans.api_plans import YearField

from .api_common import FinanceApiMixin, YearFilter, ccg_filter
from .models import QippImport


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="The row of the file (1 is the first)"
    )
    column = serializers.CharField(allow_null=True, help_text="The column's heading")
    cell = serializers.CharField(allow_null=True, help_text="The cell, as Excel names it (D7)")
    message = serializers.CharField(help_text="What is wrong, in words")


class ImportPreviewSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="scheme or programme")
    row = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(allow_blank=True)
    project = serializers.CharField(allow_blank=True)
    programme = serializers.CharField(allow_blank=True)
    action = serializers.CharField(help_text="create, update or unchanged")
    changes = serializers.ListField(
        child=serializers.CharField(), help_text="The columns whose cells differ"
    )


class QippImportSerializer(serializers.ModelSerializer):
    ccg = serializers.CharField(source="ccg.ods_code", read_only=True, label="CCG")
    year = YearField(read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded, failed")
    errors = ImportProblemSerializer(
        many=True, read_only=True,
        help_text="Every problem: the row and column (the cell) and what is wrong",
    )  # fmt: skip
    preview = ImportPreviewSerializer(
        many=True, read_only=True,
        help_text="What the import does (or, for a dry run, would do) row by row",
    )  # fmt: skip

    class Meta:
        model = QippImport
        fields = ["id", "ccg", "year", "source_name", "requested_by", "status", "dry_run",
                  "created_at", "finished_at", "rows_read", "created", "updated", "unchanged",
                  "errors", "preview", "message"]  # fmt: skip
        read_only_fields = fields


class QippImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The QIPP report as CSV (UTF-8) or XLSX, in the layout qipp-schemes/?format= "
        "csv or xlsx downloads: unique ref, project name, point of delivery, gross plan, "
        "gross actual, gross variance, variance % and the monthly columns"
    )  # fmt: skip
    ccg = serializers.CharField(label="CCG", help_text="The CCG the schemes belong to (ODS code)")
    year = YearField(help_text="The financial year of the report, e.g. 2012/13")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check and preview only; change no scheme"
    )

    def validate_ccg(self, value):
        user = self.context["request"].user
        ccg = CCG.objects.for_user(user).filter(ods_code__iexact=value.strip()).first()
        if ccg is None:
            raise serializers.ValidationError(f"There is no CCG {value} that you can see.")
        return ccg


# A 400 is the failed import (every problem row by row) or a refusal of the request itself.
IMPORT_FAILED = PolymorphicProxySerializer(
    component_name="QippImportFailed",
    serializers=[QippImportSerializer, PlanRefusalSerializer],
    resource_type_field_name=None,
)


class QippImportFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = YearFilter()
    status = filters.ChoiceFilter(choices=ImportStatus.choices)

    class Meta:
        model = QippImport
        fields = ["ccg", "year", "status", "dry_run"]


class QippImportViewSet(
    ConditionalRequestsMixin, FinanceApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Imports of QIPP reports: what was read, created, updated and unchanged, the preview of
    a dry run, or every problem cell by cell (nothing is written when any row is wrong)."""

    serializer_class = QippImportSerializer
    filterset_class = QippImportFilter
    search_fields = ["source_name", "message"]
    ordering_fields = ["id", "created_at", "finished_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return QippImport.objects.for_user(self.request.user).select_related("ccg", "requested_by")

    def _result(self, record, success: int) -> Response:
        record = self.get_queryset().get(pk=record.pk)
        failed = record.status == ImportStatus.FAILED
        return Response(self.get_serializer(record).data,
                        status=status.HTTP_400_BAD_REQUEST if failed else success)  # fmt: skip

    @extend_schema(
        request={"multipart/form-data": QippImportRequestSerializer},
        responses={
            201: OpenApiResponse(QippImportSerializer, description="Imported (or previewed)"),
            400: OpenApiResponse(
                IMPORT_FAILED,
                description="The file failed: every problem row by row (nothing written); or "
                "the request itself was wrong ({detail, code, field})",
            ),
            403: REFUSALS[403],
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a QIPP report and import it (or, with `dry_run`, preview it)."""
        from .qipp_io import import_qipp

        form = QippImportRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        record = import_qipp(
            upload, ccg=form.validated_data["ccg"], year=form.validated_data["year"],
            user=request.user, dry_run=form.validated_data["dry_run"],
            source_name=upload.name or "",
        )  # fmt: skip
        return self._result(record, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(QippImportSerializer, description="Applied: the new import"),
            400: OpenApiResponse(
                IMPORT_FAILED,
                description="The file no longer imports (row by row), or it cannot be applied",
            ),
            **{code: REFUSALS[code] for code in (403, 409)},
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply a successful dry run: the previewed file is imported for real, recorded as a
        new import (201); 409 when it was applied already."""
        from .qipp_io import apply_import

        record = apply_import(self.get_object(), user=request.user)
        return self._result(record, status.HTTP_201_CREATED)
