from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "haven.interop"
    label = "interop"
    default_auto_field = "django.db.models.BigAutoField"
