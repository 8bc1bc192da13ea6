"""Assurance records of CCG A and CCG B in the permission matrix's world: a Q1 2013/14
checkpoint of each with a scorecard result, a finding and an agreed action."""

import datetime as dt

from governance.models import AgreedAction, AssuranceCheckpoint, Finding, ScorecardResult


def _checkpoint(ccg) -> dict:
    checkpoint = AssuranceCheckpoint.objects.create(
        ccg=ccg, year=2013, quarter=1, held_on=dt.date(2013, 9, 2),
        assessor="South Yorkshire and Bassetlaw Area Team", rating="Assured with support",
    )  # fmt: skip
    return {
        "checkpoint": checkpoint,
        "scorecard": ScorecardResult.objects.create(
            checkpoint=checkpoint, metric="A&E – 4 Hour Target", target="95%", met=False, order=1
        ),
        "finding": Finding.objects.create(
            checkpoint=checkpoint, area="QIPP", text="On target for the 4 workstreams.", order=1
        ),
        "action": AgreedAction.objects.create(
            checkpoint=checkpoint,
            text="Publish the scorecard.",
            owner="CCG",
            due_on=dt.date(2013, 10, 18),
            order=1,
        ),  # fmt: skip
    }


def assurance_world(a, b, objects: dict, things: dict) -> dict:
    """Create the records, add API prefixes to `objects` (prefix -> (A's lookup, B's)),
    and return named records for the page routes ("assurance_checkpoint_a", ...)."""
    made = {}
    for name, ccg in (("a", a), ("b", b)):
        for key, record in _checkpoint(ccg).items():
            made[f"assurance_{key}_{name}"] = record
    objects["assurance-checkpoints"] = (
        made["assurance_checkpoint_a"].pk,
        made["assurance_checkpoint_b"].pk,
    )
    return made
