"""`manage.py backup` / `manage.py restore` (docs/operations/backup.md) reproduce the same site.

For each database (SQLite everywhere; PostgreSQL when the suite runs on it) a scratch database
of the test's own is migrated and loaded with the demo, a pack PDF is built (in-process, eager),
and tests/commissioning/backup_snapshot.py (a subprocess, django.test.Client) records ~20
pages and ~20 API responses as a planning manager and as a scrutiny member, plus the pack's
bytes. `backup` runs as a subprocess; the database is dropped and recreated empty, the media
folder wiped; `restore` runs; the same snapshot must match body for body (CSRF tokens and CSP
nonces normalised). A corrupted archive and a restore over data without --force are refused
and leave the database as it was.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "commissioning" / "backup_snapshot.py"
MARKER = "backup-restore-marker"


def _configured_vendor() -> str:
    from django.db import connection

    return connection.vendor


@dataclass
class Site:
    """A scratch database (its URL) and media folder, driven through subprocesses."""

    vendor: str
    url: str
    media: Path
    admin: dict | None = None  # PostgreSQL: how to reach the server's `postgres` database
    name: str = ""

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTEST_XDIST_WORKER")}
        env.update(
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.media),
            DJANGO_SETTINGS_MODULE="commissioning.settings.base",
        )
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env(), capture_output=True,
            text=True, timeout=900,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def counts(self) -> dict:
        code = (
            "import json; from commissioning.management.commands._backup_archive import "
            "table_row_counts; print(json.dumps(table_row_counts()))"
        )
        return json.loads(self.manage("shell", "-c", code).stdout.strip().splitlines()[-1])

    def add_marker(self) -> None:
        code = (
            f"from django.contrib.auth.models import Group; Group.objects.create(name='{MARKER}')"
        )
        self.manage("shell", "-c", code)

    def create(self) -> None:
        if self.vendor == "postgresql":
            self._admin_sql(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            Path(self.url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def wipe_media(self) -> None:
        shutil.rmtree(self.media, ignore_errors=True)
        self.media.mkdir(parents=True)

    def _admin_sql(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(**self.admin)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()


def _new_site(vendor: str, folder: Path) -> Site:
    name = f"ccg_bk_{uuid.uuid4().hex[:10]}"
    media = folder / f"media-{name}"
    media.mkdir(parents=True)
    if vendor == "sqlite":
        return Site(vendor, f"sqlite:///{folder / (name + '.sqlite3')}", media, name=name)
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = {
        "dbname": "postgres", "host": db.get("HOST") or None, "port": db.get("PORT") or None,
        "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
    }  # fmt: skip
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    site = Site(vendor, f"postgres://{auth}@{host}/{name}", media, admin=admin, name=name)
    site.create()
    return site


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backed_up(request, tmp_path_factory):
    """A demo site with a built pack, its snapshot, and a backup archive of it."""
    vendor = request.param
    if vendor == "postgresql" and _configured_vendor() != "postgresql":
        pytest.skip("the PostgreSQL variant needs DATABASE_URL to name a PostgreSQL server")
    folder = tmp_path_factory.mktemp(f"backup-{vendor}")
    sites: list[Site] = []

    def new_site() -> Site:
        site = _new_site(vendor, folder)
        sites.append(site)
        return site

    site = new_site()
    try:
        site.manage("migrate", "--noinput", "-v", "0")
        site.manage("load_demo")
        built = json.loads(site.run(str(SNAPSHOT), "build-pack").stdout.strip().splitlines()[-1])
        before = folder / "before.json"
        site.run(str(SNAPSHOT), "snapshot", str(before))
        backup = site.manage("backup", str(folder / "backups") + "/")
        archive = next((folder / "backups").glob("*.tar"))
        yield {
            "vendor": vendor, "site": site, "new_site": new_site, "archive": archive,
            "before": before, "folder": folder, "built": built, "backup_output": backup.stdout,
        }  # fmt: skip
    finally:
        for each in sites:
            each.drop()


def _snapshot(site: Site, folder: Path, urls_from: Path, label: str) -> dict:
    out = folder / f"{label}.json"
    site.run(str(SNAPSHOT), "snapshot", str(out), "--urls", str(urls_from))
    return json.loads(out.read_text())


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _flip_byte_in_member(archive: Path, member: str, copy: Path) -> None:
    shutil.copyfile(archive, copy)
    with tarfile.open(copy) as tar:
        info = tar.getmember(member)
    offset = info.offset_data + info.size // 2
    with open(copy, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_restore_reproduces_pages_api_and_packs(backed_up):
    site, folder = backed_up["site"], backed_up["folder"]
    before = json.loads(backed_up["before"].read_text())
    manifest = _manifest(backed_up["archive"])
    assert manifest["database_vendor"] == backed_up["vendor"]
    assert manifest["migrations"]["plans"]
    assert any(f["path"] == f"media/{backed_up['built']['file']}" for f in manifest["files"])
    assert len(before["pages"]) >= 30 and len(before["api"]) >= 30
    assert before["packs"] and all(p["status"] == 200 for p in before["packs"].values())

    site.drop()
    site.create()
    site.wipe_media()
    wiped = site.run(str(SNAPSHOT), "snapshot", str(folder / "wiped.json"), "--urls",
                     str(backed_up["before"]), check=False)  # fmt: skip
    assert wiped.returncode != 0  # the site really is gone before the restore

    result = site.manage("restore", str(backed_up["archive"]))
    assert "counts verified" in result.stdout and "sha256 verified" in result.stdout
    assert site.counts() == manifest["row_counts"]  # before the snapshot signs anyone in

    after = _snapshot(site, folder, backed_up["before"], "after")
    assert after["urls"] == before["urls"]
    for kind in ("pages", "api"):
        assert after[kind].keys() == before[kind].keys()
        differ = [key for key in before[kind] if after[kind][key] != before[kind][key]]
        assert not differ, f"{len(differ)} {kind} differ after the restore: {differ[:5]}"
    assert after["packs"] == before["packs"]


def test_corrupted_archive_is_refused_and_changes_nothing(backed_up):
    target = backed_up["new_site"]()
    target.manage("restore", str(backed_up["archive"]))
    target.add_marker()
    counts = target.counts()
    media = sorted((p.relative_to(target.media), p.read_bytes()) for p in target.media.rglob("*")
                   if p.is_file())  # fmt: skip

    manifest = _manifest(backed_up["archive"])
    corrupted = backed_up["folder"] / f"corrupted-{target.name}.tar"
    _flip_byte_in_member(backed_up["archive"], manifest["database_member"], corrupted)
    refused = target.manage("restore", "--force", str(corrupted), check=False)
    assert refused.returncode != 0
    assert "corrupted" in refused.stderr and "Nothing was changed" in refused.stderr
    assert target.counts() == counts
    assert counts["auth_group"] == manifest["row_counts"]["auth_group"] + 1  # the marker row
    assert media == sorted(
        (p.relative_to(target.media), p.read_bytes()) for p in target.media.rglob("*")
        if p.is_file()
    )  # fmt: skip

    # A damaged pack file inside the archive is refused the same way.
    pack = next(f["path"] for f in manifest["files"] if f["path"].startswith("media/"))
    _flip_byte_in_member(backed_up["archive"], pack, corrupted)
    refused = target.manage("restore", "--force", str(corrupted), check=False)
    assert refused.returncode != 0 and pack in refused.stderr
    assert target.counts() == counts


def test_restore_over_data_needs_force(backed_up):
    target = backed_up["new_site"]()
    target.manage("migrate", "--noinput", "-v", "0")
    target.add_marker()
    counts = target.counts()
    refused = target.manage("restore", str(backed_up["archive"]), check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert target.counts() == counts

    forced = target.manage("restore", "--force", str(backed_up["archive"]))
    assert "counts verified" in forced.stdout
    manifest = _manifest(backed_up["archive"])
    assert target.counts() == manifest["row_counts"]  # the marker row is gone


def test_restore_refuses_the_other_database_vendor(backed_up, tmp_path):
    other = "postgresql" if backed_up["vendor"] == "sqlite" else "sqlite"
    archive = tmp_path / "other-vendor.tar"
    with tarfile.open(backed_up["archive"]) as source, tarfile.open(archive, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database_vendor"] = other
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    target = backed_up["new_site"]()
    refused = target.manage("restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "configured for" in refused.stderr and "Nothing was changed" in refused.stderr
