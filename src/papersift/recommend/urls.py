from django.urls import path

from papersift.recommend import feeds, views

urlpatterns = [
    path("foryou", views.for_you, name="for-you"),
    path("foryou/mark", views.mark, name="for-you-mark"),
    path("foryou/interests", views.interests, name="interests"),
    path("foryou/interests.json", views.export, name="interests-export"),
    path("foryou/interests/signals/<int:signal_id>/remove", views.remove_signal, name="interests-remove-signal"),
    path("foryou/interests/follow", views.follow, name="interests-follow"),
    path("foryou/interests/unfollow", views.unfollow, name="interests-unfollow"),
    path("foryou/interests/follows/<int:follow_id>/remove", views.remove_follow, name="interests-remove-follow"),
    path("foryou/interests/import", views.import_file, name="interests-import"),
    path("foryou/interests/ids", views.import_ids, name="interests-ids"),
    path("foryou/interests/list", views.import_list, name="interests-list"),
    path("foryou/interests/feed", views.rotate_feed, name="interests-feed-rotate"),
    path("foryou/feed/<str:key>.atom", feeds.for_you_feed, name="for-you-feed"),
]
