from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "haven.justice"
    verbose_name = "Criminal justice and non-punishment"
