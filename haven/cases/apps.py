from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "haven.cases"
    verbose_name = "Cases"
