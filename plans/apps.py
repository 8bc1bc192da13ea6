from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from .api import register_api
        from .content_collections import register
        from .demo.loader import register_demo_step

        register()
        register_api()
        register_demo_step()
