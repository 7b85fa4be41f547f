from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "papersift.ingest"
    label = "ingest"
    verbose_name = "Ingestion"
