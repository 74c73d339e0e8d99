from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "haven.assistance"
    verbose_name = "Assistance"
