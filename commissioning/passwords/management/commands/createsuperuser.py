"""Django's `createsuperuser`, with the password validators also in --noinput mode."""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

PASSWORD_ENV = "DJANGO_SUPERUSER_PASSWORD"


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get(PASSWORD_ENV)
        if not options["interactive"] and password is not None:
            self._validate_env_password(password, options)
        return super().handle(*args, **options)

    def _validate_env_password(self, password: str, options: dict) -> None:
        model = self.UserModel
        fields = [model.USERNAME_FIELD, *model.REQUIRED_FIELDS]
        values = {}
        for name in fields:
            value = options.get(name) or os.environ.get(f"DJANGO_SUPERUSER_{name.upper()}")
            if value and not model._meta.get_field(name).many_to_many:
                values[name] = value
        try:
            validate_password(password, model(**values))
        except ValidationError as error:
            raise CommandError(
                f"The password in {PASSWORD_ENV} is refused: " + " ".join(error.messages)
            ) from None
