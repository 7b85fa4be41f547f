from django.apps import AppConfig


class IndexingConfig(AppConfig):
    name = "papersift.indexing"
    label = "indexing"
    verbose_name = "Search indexes"
