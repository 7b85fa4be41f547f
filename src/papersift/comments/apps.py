from django.apps import AppConfig
from django.db.models.signals import pre_delete


class CommentsConfig(AppConfig):
    name = "papersift.comments"
    label = "comments"
    verbose_name = "Comments and moderation"

    def ready(self):
        from papersift.comments.models import Comment
        from papersift.comments.services import comment_deleted

        # Keeps Paper.community_comments right when comments go by cascade (account deletion), see services.
        pre_delete.connect(comment_deleted, sender=Comment, dispatch_uid="comments.count_on_delete")
