from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "haven.directory"
    verbose_name = "Service directory"
