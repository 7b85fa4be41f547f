from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "papersift.web"
    label = "web"
    verbose_name = "Web pages"
