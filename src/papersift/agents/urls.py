from django.urls import path

from papersift.agents import views

urlpatterns = [path("mcp", views.endpoint, name="mcp")]
