from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "papersift.submissions"
    label = "submissions"
    verbose_name = "Paper submissions"
