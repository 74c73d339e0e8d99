from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "haven.rights"
    verbose_name = "Rights and retention"
