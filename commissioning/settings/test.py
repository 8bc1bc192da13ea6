"""Test settings: the embedded default with a fast password hasher.

Argon2 stays the default everywhere else (asserted by tests/commissioning/test_settings.py);
hashing dozens of test users with it would make the permission matrix crawl.
"""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# Uploaded and built files of a test run go to a folder of their own, not var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ccg-test-media-"))

# Each run counts API requests apart (the cache may be a Redis that outlives the run), and
# the rates are out of the way; tests/commissioning/test_throttling.py sets its own.
CACHES["default"]["KEY_PREFIX"] = f"ccg-test-{Path(MEDIA_ROOT).name}"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "token": "100000/min",
        "user": "100000/min",
        "anon": "100000/min",
        "auth": "100000/min",
    },
}

# Sign-in lockout stays on, out of the way of suites that sign in often; Django's test
# Client.login() calls authenticate() without a request, which django-axes's backend refuses,
# so tests use a wrapper that checks lockouts whenever there is a request. The lockout tests
# (tests/commissioning/test_security_lockout.py) put the real limit and backend back.
AXES_FAILURE_LIMIT = 1000
AUTHENTICATION_BACKENDS = [
    "tests.axes_backend.RequestOptionalAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
