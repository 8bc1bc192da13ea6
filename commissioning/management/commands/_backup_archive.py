"""Shared helpers of `manage.py backup` and `manage.py restore` (docs/operations/backup.md).

An archive is one uncompressed tar holding `manifest.json`, the database (`database.dump`,
pg_dump's custom format, or `database.sqlite3`, an online-backup copy) and `media/...`, every
file under MEDIA_ROOT. The manifest lists each member's sha256 and size, the latest applied
migration per app and the row count of every table, so a restore can refuse a damaged archive
before it touches anything and verify itself afterwards.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.dump"
SQLITE_MEMBER = "database.sqlite3"


def vendor() -> str:
    return connection.vendor


def db_settings() -> dict:
    return settings.DATABASES["default"]


def pg_env_args() -> tuple[dict, list[str]]:
    """Environment (PGPASSWORD) and connection arguments for pg_dump / pg_restore / psql."""
    db = db_settings()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def run_pg(cmd: list[str], env: dict) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise CommandError(
            f"{cmd[0]} was not found: install the PostgreSQL client (postgresql-client)."
        ) from exc
    if result.returncode != 0:
        raise CommandError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def table_row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            table_sql = connection.ops.quote_name(table)  # an introspected name, quoted
            cursor.execute(f"SELECT COUNT(*) FROM {table_sql}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def migration_state() -> dict[str, str]:
    """The latest applied migration per app (by name, which Django numbers in order)."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.applied_migrations():
        if app not in latest or name > latest[app]:
            latest[app] = name
    return dict(sorted(latest.items()))


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("ccg-planning")
    except Exception:  # noqa: BLE001 - not installed as a distribution: say so
        return "unknown"
