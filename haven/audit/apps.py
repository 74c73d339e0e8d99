from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "haven.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from haven.core.dbroles import grant_after_migrate  # noqa: PLC0415

        # Once per migrate run (sent for each app; this one is enough).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="haven-db-grants")
