from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "papersift.catalog"
    label = "catalog"
    verbose_name = "Paper catalog"
