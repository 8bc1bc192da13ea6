"""`manage.py restore <archive> [--force]`: put back a `manage.py backup` archive (the
database and the media files), after checking every checksum, then verify row counts and
checksums (docs/operations/backup.md)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ._backup_archive import (
    FORMAT_VERSION,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    db_settings,
    migration_state,
    pg_env_args,
    run_pg,
    sha256_of,
    table_row_counts,
    vendor,
)

VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _refuse(reason: str) -> CommandError:
    return CommandError(f"Refusing to restore: {reason} Nothing was changed.")


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` archive into the configured database and MEDIA_ROOT. "
        "Checks the archive's checksums first; refuses a non-empty database without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database holds data (that data is replaced).",
        )

    def handle(self, *args, archive, force=False, **options):
        started = time.monotonic()
        archive_path = Path(archive)
        if not archive_path.is_file():
            raise _refuse(f"{archive_path} is not a file.")
        with tempfile.TemporaryDirectory(prefix="ccg-restore-") as scratch:
            scratch = Path(scratch)
            manifest = self._unpack_and_check(archive_path, scratch)
            self._check_target(manifest, force)
            self._restore_database(manifest, scratch)
            media_written = self._restore_media(manifest, scratch)
        self._verify(manifest, media_written, time.monotonic() - started)

    # 1. Nothing is touched until every member of the archive matches the manifest.
    def _unpack_and_check(self, archive_path: Path, scratch: Path) -> dict:
        try:
            with tarfile.open(archive_path, "r:") as tar:
                members = tar.getmembers()
                names = [m.name for m in members]
                bad = [n for n in names if not _safe_member(n)]
                if bad or any(not (m.isfile() or m.isdir()) for m in members):
                    raise _refuse(f"the archive holds unexpected entries ({bad[:3]}).")
                if MANIFEST not in names:
                    raise _refuse(f"{archive_path} holds no {MANIFEST}: not a backup archive.")
                tar.extractall(scratch, filter="data")
        except tarfile.TarError as exc:
            raise _refuse(f"{archive_path} is not a readable tar archive ({exc}).") from exc
        try:
            manifest = json.loads((scratch / MANIFEST).read_text())
            files = manifest["files"]
            member = manifest["database_member"]
            manifest["database_vendor"], manifest["row_counts"]  # noqa: B018 - must exist
        except (ValueError, KeyError, TypeError) as exc:
            raise _refuse(f"the manifest is damaged ({exc!r}).") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise _refuse(f"archive format {manifest.get('format')!r} is not {FORMAT_VERSION}.")
        listed = {entry["path"] for entry in files}
        if member not in listed or member not in (PG_MEMBER, SQLITE_MEMBER):
            raise _refuse("the manifest names no database dump.")
        present = {n for n, m in zip(names, members, strict=True) if m.isfile()} - {MANIFEST}
        if present != listed:
            raise _refuse(
                "the archive's files differ from its manifest "
                f"(missing {sorted(listed - present)[:3]}, "
                f"unlisted {sorted(present - listed)[:3]})."
            )
        damaged = []
        for entry in files:
            path = scratch / entry["path"]
            if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
                damaged.append(entry["path"])
        if damaged:
            raise _refuse(
                f"the archive is corrupted: {len(damaged)} file(s) fail their sha256 check "
                f"({', '.join(damaged[:5])})."
            )
        return manifest

    # 2. The right kind of database, and an empty one unless --force.
    def _check_target(self, manifest: dict, force: bool) -> None:
        source, here = manifest["database_vendor"], vendor()
        if source != here:
            raise _refuse(
                f"the archive holds a {VENDOR_NAMES.get(source, source)} database but this "
                f"site is configured for {VENDOR_NAMES.get(here, here)}: restore it into a "
                f"{VENDOR_NAMES.get(source, source)} database (set DATABASE_URL)."
            )
        occupied = {table: n for table, n in table_row_counts().items() if n}
        if occupied and not force:
            raise _refuse(
                f"the database is not empty ({len(occupied)} tables hold "
                f"{sum(occupied.values())} rows). Run with --force to replace its contents."
            )

    # 3. The database.
    def _restore_database(self, manifest: dict, scratch: Path) -> None:
        dump = scratch / manifest["database_member"]
        connection.close()
        if vendor() == "postgresql":
            env, conn_args = pg_env_args()
            run_pg(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--exit-on-error", *conn_args, "--dbname", str(db_settings()["NAME"]),
                 str(dump)],
                env,
            )  # fmt: skip
        else:
            target = Path(db_settings()["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(dump)
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        connection.close()

    # 4. The media files (files under MEDIA_ROOT not in the archive are left where they are).
    def _restore_media(self, manifest: dict, scratch: Path) -> list[dict]:
        media_root = Path(settings.MEDIA_ROOT)
        written = []
        for entry in manifest["files"]:
            if not entry["path"].startswith("media/"):
                continue
            relative = entry["path"].removeprefix("media/")
            destination = media_root / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(destination.name + ".restoring")
            shutil.copyfile(scratch / entry["path"], partial)
            os.replace(partial, destination)
            written.append({**entry, "path": relative})
        return written

    # 5. Verify what was restored against the manifest.
    def _verify(self, manifest: dict, media: list[dict], elapsed: float) -> None:
        media_root = Path(settings.MEDIA_ROOT)
        counts = table_row_counts()
        expected = manifest["row_counts"]
        wrong_rows = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        wrong_files = [e["path"] for e in media if sha256_of(media_root / e["path"]) != e["sha256"]]
        problems = []
        if wrong_rows:
            problems.append(f"row counts differ in {len(wrong_rows)} tables: {wrong_rows}")
        if wrong_files:
            problems.append(f"{len(wrong_files)} media files differ: {wrong_files[:5]}")
        if migration_state() != manifest.get("migrations", {}):
            problems.append("the applied migrations differ from the manifest's")
        if problems:
            raise CommandError("Restored, but verification failed: " + "; ".join(problems))
        self.stdout.write(
            f"Restored the {VENDOR_NAMES[vendor()]} database from the backup of "
            f"{manifest['created_at']} (app {manifest.get('app_version')}): "
            f"{len(expected)} tables, {sum(expected.values())} rows, counts verified."
        )
        self.stdout.write(
            f"Restored {len(media)} media files ({sum(e['size'] for e in media)} bytes) "
            "into MEDIA_ROOT, sha256 verified."
        )
        self.stdout.write(self.style.SUCCESS(f"Restore complete in {elapsed:.1f} s."))
