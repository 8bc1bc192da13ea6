"""Test settings: the embedded default with a fast password hasher.

Argon2 stays the default everywhere else (asserted by tests/commissioning/test_settings.py);
hashing dozens of test users with it would make the permission matrix crawl.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
