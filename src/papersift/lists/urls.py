from django.urls import path

from papersift.lists import views

# `new` and `save` come before the slug patterns; slugs are 12 characters, so they never collide anyway.
urlpatterns = [
    path("lists", views.index, name="lists"),
    path("lists/new", views.create, name="list-create"),
    path("lists/save", views.save, name="list-save"),
    path("lists/<slug:slug>.bib", views.export_bib, name="list-bib"),
    path("lists/<slug:slug>.json", views.export_json, name="list-json"),
    path("lists/<slug:slug>", views.detail, name="list"),
    path("lists/<slug:slug>/rename", views.rename, name="list-rename"),
    path("lists/<slug:slug>/publish", views.publish, name="list-publish"),
    path("lists/<slug:slug>/delete", views.delete, name="list-delete"),
    path("lists/<slug:slug>/remove", views.remove, name="list-remove"),
]
