from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "haven.stats"
    label = "statistics"
    default_auto_field = "django.db.models.BigAutoField"
