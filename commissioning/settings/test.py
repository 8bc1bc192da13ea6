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
