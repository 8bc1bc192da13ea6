"""Frozen versions cannot change, whichever way one tries."""

import pytest

from plans import services
from plans.models import PlanVersion, VersionIsImmutable

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(draft_plan, planner):
    return services.transition(draft_plan, user=planner, to="submitted")


def test_a_version_cannot_be_saved_again(version):
    version.note = "Rewritten"
    with pytest.raises(VersionIsImmutable):
        version.save()


def test_a_version_cannot_be_deleted(version):
    with pytest.raises(VersionIsImmutable):
        version.delete()
    with pytest.raises(VersionIsImmutable):
        PlanVersion.objects.filter(pk=version.pk).delete()


def test_bulk_updates_are_refused(version):
    with pytest.raises(VersionIsImmutable):
        PlanVersion.objects.filter(pk=version.pk).update(note="Rewritten")


def test_later_edits_do_not_reach_the_frozen_content(draft_plan, planner, board, version):
    services.transition(draft_plan, user=board, to="draft", note="More on CAMHS")
    section = draft_plan.sections.get()
    services.update_section(section, user=planner, expected_revision=1, body="Changed later")
    frozen = PlanVersion.objects.get(pk=version.pk)
    assert frozen.content["collections"]["sections"][0]["body"] == "Four year investment plan"


def test_a_plan_with_versions_cannot_be_deleted(draft_plan, version):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        draft_plan.delete()
