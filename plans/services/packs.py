"""Asking for PDF packs and publishing them, shared by pages and the API.

Planning managers and governing body members of the CCG (and staff) ask for builds; only
planning managers (and staff) publish a finished pack of a published plan, which makes it
downloadable by scrutiny members, and by anyone when the plan is public. The build runs on a
Celery worker once the request's transaction commits (in-process on the embedded default).
"""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from commissioning.access import Role, ccg_scope

from ..errors import InvalidMove, NotAllowed
from ..models import PLAN_KINDS, PUBLISHED_STATES, PackBuild, PackKind, PackStatus
from ..packs.document import document_title
from ..packs.registry import subject_for_kind

BUILDERS = frozenset({Role.PLANNING_MANAGER, Role.GOVERNING_BODY})
FILE_MISSING = "The file of this pack is missing from storage: ask for the pack to be built again."

logger = logging.getLogger(__name__)


def open_file(build: PackBuild):
    """The finished pack's PDF, open for reading, or None when storage has lost it (restored
    from an older backup, a volume not mounted): logged, so operators hear of it."""
    try:
        return build.file.open("rb")
    except OSError:
        logger.error("Pack %s is done but its file %s is missing", build.pk, build.file.name)
        return None


def _role(user, ccg):
    if user is None or getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return "staff"
    return ccg_scope(user).role_in(ccg.pk)


def build_refusal(user, ccg) -> str | None:
    role = _role(user, ccg)
    if role == "staff" or role in BUILDERS:
        return None
    return (f"Only planning managers and governing body members of {ccg.display_name} can "
            "build its PDF packs.")  # fmt: skip


def publish_refusal(user, build: PackBuild) -> str | None:
    """Why `user` may not publish (or withdraw) `build` because of their role, or None."""
    if _role(user, build.ccg) not in ("staff", Role.PLANNING_MANAGER):
        return f"Only planning managers of {build.ccg.display_name} can publish its packs."
    return None


def publish_state_refusal(build: PackBuild) -> str | None:
    """Why `build` cannot be published as it stands, or None."""
    if build.status != PackStatus.DONE:
        return "Only a finished pack can be published."
    if build.plan is None or build.plan.state not in PUBLISHED_STATES:
        return "Only packs of a published plan can be published."
    return None


def request_build(user, *, kind: str, plan=None, subject=None, force: bool = False) -> PackBuild:
    """Queue a build of `kind` for `plan` (plan kinds) or `subject` (a registered subject,
    e.g. a meeting). The caller found plan or subject through `for_user(user)`."""
    if kind not in PackKind.values:
        raise InvalidMove(f"'{kind}' is not a kind of pack: choose one of "
                          f"{', '.join(PackKind.values)}.", field="kind")  # fmt: skip
    if kind in PLAN_KINDS:
        if plan is None:
            raise InvalidMove(f"A {PackKind(kind).label.lower()} is built for a plan: say "
                              "which.", field="plan")  # fmt: skip
        ccg, title, subject = plan.ccg, document_title(kind, plan=plan), None
    else:
        registered = subject_for_kind(kind)
        if registered is None or subject is None:
            field = registered.api_field if registered else "meeting"
            raise InvalidMove(f"A {PackKind(kind).label.lower()} is built for a {field}: say "
                              "which.", field=field)  # fmt: skip
        ccg = registered.ccg_of(subject)
        title = document_title(kind, subject_title=registered.title_of(subject))
        plan = None
    refusal = build_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)
    build = PackBuild.objects.create(
        ccg=ccg, kind=kind, plan=plan, title=title[:300], forced=force,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )  # fmt: skip
    transaction.on_commit(lambda: _enqueue(build.pk))
    return build


def _enqueue(build_id: int) -> None:
    from ..tasks import build_pack

    build_pack.delay(build_id)


def set_published(user, build: PackBuild, published: bool = True) -> PackBuild:
    """Publish a finished pack of a published plan, or withdraw it from publication."""
    refusal = publish_refusal(user, build)
    if refusal:
        raise NotAllowed(refusal)
    if published and (refusal := publish_state_refusal(build)):
        raise InvalidMove(refusal)
    build.published = published
    build.published_at = timezone.now() if published else None
    build.save(update_fields=["published", "published_at"])
    return build
