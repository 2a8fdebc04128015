from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "exoadmin.accounts"
    label = "accounts"
    verbose_name = "Exotel accounts and roles"
