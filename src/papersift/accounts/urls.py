from django.urls import path

from papersift.accounts import views

urlpatterns = [
    path("account/", views.settings_page, name="account_settings"),
    path("account/tokens", views.create_token, name="token_create"),
    path("account/tokens/<int:token_id>/revoke", views.revoke_token, name="token_revoke"),
    path("account/delete", views.delete_account, name="account_delete"),
]
