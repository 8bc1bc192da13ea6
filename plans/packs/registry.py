"""What goes into PDF packs, registered by the apps that own the data.

`plans` builds the packs but cannot import the apps above it (priorities, finance,
governance). Each of them registers its pack sections in `AppConfig.ready()`, the way apps
register with the admin: a section has a code, a title, the pack kinds it belongs to, an
order, and a `render(context)` that returns the section's HTML (from the app's own print
template) or None when it has nothing to show for this subject. A higher app that owns a
subject packs are built for (governance's meetings) registers it with `register_subject`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PackContext:
    """What a section is rendered for. `user` is who asked: sections read with
    `for_user(user)`, so a pack never shows what its requester could not see."""

    kind: str
    ccg: Any
    user: Any
    plan: Any = None
    subject: Any = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PackSection:
    code: str
    title: str
    kinds: frozenset[str]
    order: int
    render: Callable[[PackContext], str | None]


@dataclass(frozen=True)
class PackSubject:
    """A model packs are built for (not a plan): `label` is its app label and model name
    ("governance.meeting"); `kinds` the pack kinds built for it; `lookup(user, pk)` finds
    the object the user may read, or None; `ccg_of` and `title_of` describe it."""

    label: str
    kinds: frozenset[str]
    lookup: Callable[[Any, int], Any]
    ccg_of: Callable[[Any], Any]
    title_of: Callable[[Any], str]
    api_field: str  # the request field that names it: "meeting"
    url_of: Callable[[Any], str] | None = None  # its page, for "Back" links


_SECTIONS: dict[str, PackSection] = {}
_SUBJECTS: dict[str, PackSubject] = {}


def register_section(section: PackSection) -> None:
    """Add (or replace, by code) a section."""
    _SECTIONS[section.code] = section


def sections_for(kind: str) -> list[PackSection]:
    return sorted((s for s in _SECTIONS.values() if kind in s.kinds),
                  key=lambda s: (s.order, s.code))  # fmt: skip


def register_subject(subject: PackSubject) -> None:
    _SUBJECTS[subject.label] = subject


def subjects() -> list[PackSubject]:
    return list(_SUBJECTS.values())


def subject_for_kind(kind: str) -> PackSubject | None:
    return next((s for s in _SUBJECTS.values() if kind in s.kinds), None)


def subject_by_label(label: str) -> PackSubject | None:
    return _SUBJECTS.get(label)
