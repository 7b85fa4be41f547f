from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "papersift.outbox"
    label = "outbox"
    verbose_name = "Outgoing e-mail"
