from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "haven.community"
    verbose_name = "Community reports"
