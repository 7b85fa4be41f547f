from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "papersift.sources"
    label = "sources"
    verbose_name = "Sources (arXiv, Hugging Face)"
