from django.apps import AppConfig


class PasswordsConfig(AppConfig):
    name = "commissioning.passwords"
    label = "commissioning_passwords"
    verbose_name = "Password rules"
