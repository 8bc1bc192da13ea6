"""Script in every text field, read on every page: nothing a person typed runs.

Every free-text column of every row of the application's models (history rows and user
names included) is rewritten to carry script in the forms that break out of HTML text,
attributes and Markdown: a <script> element, an <img onerror>, a quote that closes an
attribute, a javascript: link in Markdown. Then every page of the permission matrix that a
planning manager, a scrutiny member or a signed-out visitor reads is fetched, with the
export and download links it offers, and each HTML answer is parsed: no <script> element
holds the payload's call, no element has an event-handler attribute or a javascript: link
carrying it, and no attribute was broken open. As positive control, the payload must be
seen (escaped, as text) on most pages, so the walk cannot pass by showing nothing.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction

from commissioning.access import Role
from tests.access.leaks import download_links, free_text_fields, text_of
from tests.access.test_permission_matrix import ROUTES
from tests.access.world import build_world, client_for

CALL = "qzx"  # the function every payload calls: found anywhere executable, it is a hole
LONG = (
    '<script>qzx(1)</script>"><img src=x onerror=qzx(2)>'
    "' onmouseover='qzx(3)' [link](javascript:qzx(4))"
)
SHORT = '"><img src=x onerror=qzx(2)>'  # for columns too short to hold LONG
APPS = ("commissioning", "plans", "priorities", "finance", "governance")
ACTORS = (Role.PLANNING_MANAGER, Role.SCRUTINY, "anonymous")
MIN_PAGES_SHOWING_THE_PAYLOAD = 60


def payload_for(field, pk) -> str:
    """The payload for this column of row `pk`: the row's id is added so that unique
    columns (and unique pairs, such as a locality's name in its CCG) stay unique."""
    length = getattr(field, "max_length", None)
    for text in (f"{LONG} {pk}", f"{SHORT} {pk}"):
        if length is None or len(text) <= length:
            return text
    return ""


def poison_everything() -> int:
    """Every free-text column of every row of the apps' models (and people's names) now
    carries script: the number of (model, column) pairs rewritten."""
    rewritten = set()
    targets = [m for m in apps.get_models() if m._meta.app_label in APPS]
    for model in targets:
        fields = [model._meta.get_field(name) for name in free_text_fields(model)]
        if not fields:
            continue
        rows = models.QuerySet(model)  # the plain QuerySet: frozen versions refuse update()
        for pk in rows.values_list("pk", flat=True):
            values = {f.attname: payload_for(f, pk) for f in fields if payload_for(f, pk)}
            rows.filter(pk=pk).update(**values)
            rewritten |= {(model._meta.label, name) for name in values}
    for user in get_user_model().objects.all():
        user.first_name, user.last_name = SHORT, f"{SHORT} {user.pk}"
        user.save(update_fields=["first_name", "last_name"])
    return len(rewritten) + 2


class ExecutableFinder(HTMLParser):
    """Collects the places in a page where the payload's call could run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.holes: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and CALL in value:
                self.holes.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (
                value.strip().lower().startswith("javascript:")
            ):
                self.holes.append(f"<{tag} {name}={value!r}>")
            if CALL in name:  # an attribute broken open
                self.holes.append(f"<{tag}> gained the attribute {name!r}")
        if tag == "img" and ("src", "x") in attrs:
            self.holes.append("<img src=x> made from the payload")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and CALL in data:
            self.holes.append(f"<script> holding {data.strip()[:80]!r}")


def holes_in(html: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(html)
    return finder.holes


@pytest.fixture(scope="module")
def poisoned_world(django_db_setup, django_db_blocker):
    """The world, built once and poisoned, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            rewritten = poison_everything()
            yield world, rewritten
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


PAGES = sorted(name for name, (method, _, _) in ROUTES.items() if method == "get")


def test_the_finder_sees_each_kind_of_hole():
    """The checker itself: each way the payload could run is found, escaped text is not."""
    assert holes_in("<p>&lt;script&gt;qzx(1)&lt;/script&gt;&quot;&gt;</p>") == []
    assert holes_in("<script>qzx(1)</script>")
    assert holes_in('<p>"><img src=x onerror=qzx(2)></p>')
    assert holes_in("<p title='' onmouseover='qzx(3)'>")
    assert holes_in('<a href="javascript:qzx(4)">link</a>')
    assert holes_in('<a href=" JavaScript:qzx(4)">link</a>')


def test_no_page_runs_what_people_typed(poisoned_world, db):
    world, rewritten = poisoned_world
    assert rewritten >= 150, rewritten  # the walk reaches the models' text columns
    holes, errors, showing, fetched = [], [], set(), 0
    for actor in ACTORS:
        client = client_for(world, actor)
        for name in PAGES:
            _method, build, expected = ROUTES[name]
            if expected.get(actor) != 200:
                continue
            url = build(world)
            answers = [(url, client.get(url))]
            page = answers[0][1]
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                for link in download_links(text_of(page)):
                    answers.append((link, client.get(link)))
            for where, answer in answers:
                fetched += 1
                if answer.status_code >= 500 or (where == url and answer.status_code != 200):
                    errors.append((actor, where, answer.status_code))
                    continue
                if "html" not in answer.get("Content-Type", ""):
                    continue
                html = text_of(answer)
                holes += [(actor, where, hole) for hole in holes_in(html)]
                if "&lt;script&gt;qzx(1)" in html or "&lt;img src=x onerror=qzx(2)" in html:
                    showing.add(where)
    assert not holes, holes
    assert not errors, errors
    assert fetched >= 120, fetched
    print(f"xss walk: {rewritten} columns, {fetched} answers, payload shown on {len(showing)}")
    assert len(showing) >= MIN_PAGES_SHOWING_THE_PAYLOAD, (len(showing), sorted(showing))
