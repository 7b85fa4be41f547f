from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "papersift.community"
    label = "community"
    verbose_name = "Votes and trending"
