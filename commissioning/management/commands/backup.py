"""`manage.py backup <dir-or-file.tar>`: the database and every file under MEDIA_ROOT in one
archive with a manifest of checksums, migrations and row counts (docs/operations/backup.md)."""

from __future__ import annotations

import json
import sqlite3
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ._backup_archive import (
    FORMAT_VERSION,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    app_version,
    db_settings,
    media_files,
    migration_state,
    pg_env_args,
    run_pg,
    sha256_of,
    table_row_counts,
    vendor,
)


class Command(BaseCommand):
    help = (
        "Write one .tar archive holding the database (pg_dump custom format, or an SQLite "
        "online backup), every file under MEDIA_ROOT and manifest.json. A directory target "
        "gets a timestamped file name."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="a directory, or the path of the .tar to write")

    def handle(self, *args, target, **options):
        started = time.monotonic()
        now = datetime.now(UTC)
        target_path = Path(target)
        if target_path.is_dir() or target.endswith(("/", "\\")):
            target_path.mkdir(parents=True, exist_ok=True)
            target_path = target_path / f"ccg-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar"
        if target_path.exists():
            raise CommandError(f"{target_path} exists already: choose another name.")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        db_vendor = vendor()
        if db_vendor not in ("postgresql", "sqlite"):
            raise CommandError(f"Backing up a {db_vendor} database is not supported.")

        media_root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory(prefix="ccg-backup-") as scratch:
            scratch = Path(scratch)
            # Row counts first, then the dump: a backup of a live system may hold rows written
            # in between, which the restore reports rather than hides.
            counts = table_row_counts()
            migrations = migration_state()
            if db_vendor == "postgresql":
                member = PG_MEMBER
                dump = scratch / member
                env, conn_args = pg_env_args()
                run_pg(
                    ["pg_dump", "--format=custom", "--no-owner", *conn_args,
                     "--file", str(dump), str(db_settings()["NAME"])],
                    env,
                )  # fmt: skip
            else:
                member = SQLITE_MEMBER
                dump = scratch / member
                connection.ensure_connection()
                destination = sqlite3.connect(dump)
                try:
                    connection.connection.backup(destination)
                finally:
                    destination.close()

            files = [{"path": member, "sha256": sha256_of(dump), "size": dump.stat().st_size}]
            media = media_files(media_root)
            for path in media:
                relative = path.relative_to(media_root).as_posix()
                files.append(
                    {"path": f"media/{relative}", "sha256": sha256_of(path),
                     "size": path.stat().st_size}
                )  # fmt: skip
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "app_version": app_version(),
                "database_vendor": db_vendor,
                "database_member": member,
                "migrations": migrations,
                "row_counts": counts,
                "files": files,
            }
            manifest_path = scratch / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

            partial = target_path.with_name(target_path.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                archive.add(manifest_path, arcname=MANIFEST)
                archive.add(dump, arcname=member)
                for path in media:
                    archive.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
            partial.rename(target_path)

        size = target_path.stat().st_size
        self.stdout.write(
            f"Backed up the {db_vendor} database ({len(counts)} tables, "
            f"{sum(counts.values())} rows) and {len(media)} media files."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {target_path} ({size} bytes) in {time.monotonic() - started:.1f} s."
            )
        )
