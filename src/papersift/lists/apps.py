from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "papersift.lists"
    label = "lists"
    verbose_name = "Reading lists"
