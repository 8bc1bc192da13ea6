from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commissioning"
    verbose_name = "Organisations and access"

    def ready(self) -> None:
        from .api import register_api

        register_api()
