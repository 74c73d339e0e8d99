from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "haven.campaigns"
    default_auto_field = "django.db.models.BigAutoField"
