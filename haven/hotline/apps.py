from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "haven.hotline"
    verbose_name = "Hotline and tip intake"
