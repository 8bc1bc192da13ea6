from django.apps import AppConfig


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = "Finance and QIPP"

    def ready(self) -> None:
        from .api import register_api
        from .demo.loader import register_demo
        from .pack_sections import register as register_pack_sections

        register_api()  # financial-plans/, qipp-*/, contracts/, pooled-budgets/, ...
        register_demo()  # planning rules, then the seed CCGs' finance
        register_pack_sections()  # finance in plan documents, QIPP in annual review packs
