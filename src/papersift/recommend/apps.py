from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "papersift.recommend"
    label = "recommend"
    verbose_name = "For you: personal recommendations"
