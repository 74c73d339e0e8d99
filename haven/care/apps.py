from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "haven.care"
    verbose_name = "Care: shelter stays and feedback"
