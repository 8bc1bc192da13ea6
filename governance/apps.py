from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Governance and performance"

    def ready(self) -> None:
        from .api import register_api
        from .api_dashboard import register_api as register_dashboard_api
        from .catalogue import register_demo_step
        from .demo.loader import register_demo_step as register_demo_series

        register_api()
        register_dashboard_api()
        register_demo_step()  # the standards catalogue, before the demo series that use it
        register_demo_series()

        from .api_risks import register_api as register_risks_api
        from .services_risks import register_demo_step as register_risk_bands

        register_risks_api()  # risks/
        register_risk_bands()  # the default risk matrix bands (seed 002)

        from .api_meetings import register_api as register_meetings_api

        register_meetings_api()  # committees/, meetings/, agenda-items/, resolutions/, ...

        from .api_assurance import register_api as register_assurance_api
        from .demo_governance import register_demo_step as register_governance_demo

        register_assurance_api()  # assurance-checkpoints/
        register_governance_demo()  # committees, meetings, assurance, risks: after the above

        from .pack_sections import register as register_pack_sections

        register_pack_sections()  # PDF pack sections and the meeting as a pack subject
