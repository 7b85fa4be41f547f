from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "papersift.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"
