"""Password rules where Django leaves a gap: `createsuperuser --noinput` takes the password
from DJANGO_SUPERUSER_PASSWORD without running AUTH_PASSWORD_VALIDATORS; this app's
`createsuperuser` runs them. It is listed before django.contrib.auth in INSTALLED_APPS, so
its command is the one `manage.py createsuperuser` finds."""
