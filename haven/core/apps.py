from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    verbose_name = "Core"
