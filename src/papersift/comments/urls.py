from django.urls import path, re_path

from papersift.comments import views
from papersift.web.urls import ARXIV_ID

urlpatterns = [
    re_path(rf"^papers/{ARXIV_ID}/comments$", views.post_comment, name="comment-post"),
    path("comments/<int:comment_id>/edit", views.edit_comment, name="comment-edit"),
    path("comments/<int:comment_id>/delete", views.delete_comment, name="comment-delete"),
    path("comments/<int:comment_id>/report", views.report_comment, name="comment-report"),
    path("comments/<int:comment_id>/hide", views.hide_comment, name="comment-hide"),
    path("comments/<int:comment_id>/unhide", views.unhide_comment, name="comment-unhide"),
]
