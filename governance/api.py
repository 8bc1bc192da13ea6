"""The performance API: standards, measurements, measurement imports and the SPC calculator.

`register_api()` is called from GovernanceConfig.ready(); the resources are in api_*.py.
"""


def register_api() -> None:
    from commissioning.api_registry import register, register_path

    from .api_measurements import MeasurementImportViewSet, MeasurementViewSet
    from .api_spc import SpcCalculatorView
    from .api_standards import StandardViewSet

    register("standards", StandardViewSet, basename="standard")
    register("measurements", MeasurementViewSet, basename="measurement")
    register("measurement-imports", MeasurementImportViewSet, basename="measurement-import")
    register_path("spc/", SpcCalculatorView.as_view(), name="spc")

    from .api_audit import AuditEventViewSet

    register("audit-events", AuditEventViewSet, basename="audit-event")
