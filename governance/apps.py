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
