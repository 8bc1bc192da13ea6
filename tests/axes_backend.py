"""Test-only: django-axes's backend, except that authenticate() without a request (Django's
test `Client.login()`) is let through to the next backend instead of raising ValueError.
With a request it is django-axes's own check, lockouts and all."""

from axes.backends import AxesStandaloneBackend


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
