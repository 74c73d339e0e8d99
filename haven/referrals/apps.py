from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "haven.referrals"
    verbose_name = "Referrals"
