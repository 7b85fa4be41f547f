from django.urls import re_path

from papersift.community import views
from papersift.web.urls import ARXIV_ID

urlpatterns = [
    re_path(rf"^papers/{ARXIV_ID}/vote$", views.vote, name="vote"),
]
