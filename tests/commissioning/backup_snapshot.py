"""Bench-style driver for tests/commissioning/test_backup_restore.py, run as a subprocess with
DATABASE_URL and MEDIA_ROOT pointing at a scratch database and folder.

    python tests/commissioning/backup_snapshot.py build-pack
    python tests/commissioning/backup_snapshot.py snapshot OUT.json [--urls URLS.json]

`snapshot` signs in (force_login) as a planning manager and as a scrutiny member, crawls up to
20 pages (links followed from the home page) and 20 API responses (links followed from
/api/v1/) each, plus every finished pack's file, and writes the bodies, normalised for CSRF
tokens and CSP nonces, to OUT.json. With --urls it fetches exactly the URLs of an earlier run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

USERS = {"planning-manager": "planner.rotherham", "scrutiny": "scrutiny.rotherham"}
LIMIT = 20
SKIP = ("/logout", "/static/", "/media/", "/admin", "/accounts/logout", "/api/v1/schema")
HREF = re.compile(r'href="(/[^"#]*)"')
API_LINK = re.compile(r'"(http://testserver/api/v1/[^"]*)"')
NORMALISE = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'), r"\1<csrf>"),
    (re.compile(r'(name="csrf-token" content=")[^"]*'), r"\1<csrf>"),
    (re.compile(r'("X-CSRFToken": ")[^"]*'), r"\1<csrf>"),
    (re.compile(r'nonce="[^"]*"'), 'nonce="<nonce>"'),
    (re.compile(r"(csrftoken=)[^;\"']*"), r"\1<csrf>"),
]


def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def build_pack() -> None:
    from plans.models import PackBuild, Plan
    from plans.services.packs import request_build

    planner = get_user_model().objects.get(username=USERS["planning-manager"])
    plan = Plan.objects.filter(ccg__ods_code="03L").order_by("pk").first()
    build = request_build(planner, kind="plan-document", plan=plan)
    build = PackBuild.objects.get(pk=build.pk)
    print(json.dumps({"build": build.pk, "status": build.status, "file": build.file.name}))
    if not build.file:
        sys.exit(f"the pack build did not finish: {build.status} {build.error!r}")


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def crawl_pages(client: Client) -> list[str]:
    seen, found, queue = {"/"}, [], deque(["/"])
    while queue and len(found) < LIMIT:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found.append(url)
        for link in HREF.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(SKIP):
                seen.add(link)
                queue.append(link)
    return found


def crawl_api(client: Client) -> list[str]:
    start = "/api/v1/"
    # Lists and single objects alternately, so the sample holds both.
    seen, found, lists, details = {start}, [], deque([start]), deque()
    while (lists or details) and len(found) < LIMIT:
        prefer_detail = len(found) % 2 == 0 and details
        url = (details if prefer_detail or not lists else lists).popleft()
        response = client.get(url, HTTP_ACCEPT="application/json")
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        found.append(url)
        links = API_LINK.findall(response.content.decode())
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("results"), list):
            ids = [
                item["id"] for item in body["results"] if isinstance(item, dict) and "id" in item
            ]
            links += [f"{url.split('?')[0]}{pk}/" for pk in ids[:1]]
        for link in links:
            link = link.removeprefix("http://testserver")
            if link not in seen and not link.startswith(SKIP) and "format=" not in link:
                seen.add(link)
                (details if re.search(r"/\d+/$", link) else lists).append(link)
    return found


def snapshot(out: Path, urls_file: Path | None) -> None:
    from plans.models import PackBuild

    urls = json.loads(urls_file.read_text()) if urls_file else {}
    result = {"pages": {}, "api": {}, "packs": {}, "urls": {}}
    for role, username in USERS.items():
        client = client_for(username)
        pages = urls.get(role, {}).get("pages") or crawl_pages(client)
        api = urls.get(role, {}).get("api") or crawl_api(client)
        result["urls"][role] = {"pages": pages, "api": api}
        for url in pages:
            response = client.get(url)
            result["pages"][f"{role} {url}"] = [
                response.status_code, normalise(response.content.decode())
            ]  # fmt: skip
        for url in api:
            response = client.get(url, HTTP_ACCEPT="application/json")
            result["api"][f"{role} {url}"] = [
                response.status_code, normalise(response.content.decode())
            ]  # fmt: skip
    planner = client_for(USERS["planning-manager"])
    for build in PackBuild.objects.exclude(file="").order_by("pk"):
        response = planner.get(f"/packs/{build.pk}/file/")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        on_disk = Path(build.file.path).read_bytes()
        result["packs"][str(build.pk)] = {
            "status": response.status_code,
            "sha256": hashlib.sha256(body).hexdigest(),
            "size": len(body),
            "disk_sha256": hashlib.sha256(on_disk).hexdigest(),
        }
    out.write_text(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "build-pack":
        build_pack()
    elif sys.argv[1] == "snapshot":
        urls_arg = sys.argv[sys.argv.index("--urls") + 1] if "--urls" in sys.argv else None
        snapshot(Path(sys.argv[2]), Path(urls_arg) if urls_arg else None)
    else:
        sys.exit(__doc__)
