from django.urls import path

from papersift.digests import feeds, views

urlpatterns = [
    path("digests/subscribe", views.subscribe, name="digest-subscribe"),
    path("digests/confirm/<str:token>", views.confirm, name="digest-confirm"),
    path("digests/manage/<str:token>", views.manage, name="digest-manage"),
    path("digests/manage/<str:token>/resubscribe", views.resubscribe, name="digest-resubscribe"),
    path("digests/unsubscribe/<str:token>", views.unsubscribe, name="digest-unsubscribe"),
    path("digests/feed/<str:token>.atom", feeds.subscription_feed, name="digest-feed"),
]
