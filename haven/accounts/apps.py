from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from haven.accounts import signals  # noqa: F401, PLC0415 - connects the audit handlers
