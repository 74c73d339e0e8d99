from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "haven.identification"
    verbose_name = "Identification"
