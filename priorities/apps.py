from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "priorities"
    verbose_name = "Priorities and delivery"

    def ready(self) -> None:
        from .api import register_api
        from .content_collections import register
        from .demo.loader import register_demo
        from .pack_sections import register as register_pack_sections

        register()
        register_pack_sections()
        register_api()
        register_demo()
