from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "papersift.comments"
    label = "comments"
    verbose_name = "Comments and moderation"
