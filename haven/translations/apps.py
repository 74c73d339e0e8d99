from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "haven.translations"
    label = "translations"
    default_auto_field = "django.db.models.BigAutoField"
