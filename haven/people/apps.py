from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "haven.people"
    verbose_name = "People"
