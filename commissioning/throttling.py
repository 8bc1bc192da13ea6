"""API throttling: per token, per user (all their tokens and their browser session together)
and per address for anonymous callers. Exceeding a rate answers 429 with `Retry-After` (the
seconds to wait) in the API's error shape.

The counts live in Django's cache: Redis when REDIS_URL is set, so that every gunicorn worker
shares them; the in-process cache on the embedded default. Rates are settings
(API_RATE_TOKEN, API_RATE_USER, API_RATE_ANON), so a deployment can tune them.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .models import ApiToken

logger = logging.getLogger("commissioning.api")


class FailOpen:
    """If the cache cannot be reached (Redis restarting), serve the request unthrottled
    rather than fail it: throttling protects the service, it must not stop it. Rates are
    read from the settings when a request comes, not when the class is imported."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - any cache failure
            logger.warning("API throttling skipped: cache unavailable (%s)", error)
            return True


class TokenRateThrottle(FailOpen, SimpleRateThrottle):
    """Each API token on its own: one busy script cannot use up its owner's other tokens."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # not a token request: the user throttle applies
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(FailOpen, SimpleRateThrottle):
    """Everything a signed-in user does through the API, whichever token or session."""

    scope = "user"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AnonymousRateThrottle(FailOpen, AnonRateThrottle):
    scope = "anon"
