from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from .api import register_api
        from .content_collections import register
        from .demo.loader import register_demo_step
        from .pack_sections import register as register_pack_sections

        register()
        register_pack_sections()
        register_api()
        register_demo_step()
