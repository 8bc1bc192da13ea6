from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "priorities"
    verbose_name = "Priorities and delivery"

    def ready(self) -> None:
        from .content_collections import register

        register()
