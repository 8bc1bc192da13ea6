import subprocess
import sys

from commissioning.settings import base


def test_passwords_are_hashed_with_argon2_outside_tests():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_embedded_default_is_sqlite_in_var_with_eager_tasks(monkeypatch):
    code = (
        "import os; os.environ.pop('DATABASE_URL', None); os.environ.pop('REDIS_URL', None);"
        "from commissioning.settings import base as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        " s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out[0] == "django.db.backends.sqlite3"
    assert out[1].endswith("var/db.sqlite3")
    assert out[2] == "True"


def test_database_and_broker_come_from_the_environment():
    code = (
        "from commissioning.settings import base as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        " s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://u@db.example:5432/plans",
        "REDIS_URL": "redis://cache.example:6379/1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out == [
        "django.db.backends.postgresql",
        "plans",
        "redis://cache.example:6379/1",
        "False",
    ]


def test_production_settings_refuse_a_missing_secret_key():
    code = "import commissioning.settings.production"
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_keeps_database_connections_and_checks_them():
    code = (
        "from commissioning.settings import production as s;"
        "db = s.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.nhs.uk",
           "DATABASE_URL": "postgres://u@db.example:5432/plans"}  # fmt: skip
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], capture_output=True, text=True, env={**env, **extra},
        check=True,
    ).stdout.split()  # fmt: skip
    assert run({}) == ["60", "True"]
    assert run({"DB_CONN_MAX_AGE": "0"}) == ["0", "True"]
