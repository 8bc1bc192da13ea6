"""Priorities in the permission matrix's world: under each CCG's published plan, a priority
with a commitment, an action and a progress update; a success measure, a locality focus, a
principle; and a programme of each CCG with an intention and a measure."""

import datetime as dt

from tests.factories import LocalityFactory
from tests.plans.factories import StatementFactory
from tests.priorities.factories import (
    ActionFactory,
    CommitmentFactory,
    LocalityFocusFactory,
    PriorityFactory,
    ProgrammeFactory,
    ProgrammeIntentionFactory,
    ProgrammeMeasureFactory,
    ProgressUpdateFactory,
    SuccessMeasureFactory,
)


def priorities_world(a, b, objects: dict, things: dict) -> dict:
    made = {}
    for name, ccg in (("a", a), ("b", b)):
        plan = things[f"plan_{name}"]
        priority = PriorityFactory(plan=plan, title=f"Mental Health ({ccg.ods_code})")
        commitment = CommitmentFactory(priority=priority)
        action = ActionFactory(commitment=commitment, due_on=dt.date(2013, 9, 30))
        made[f"priority_{name}"] = priority
        made[f"commitment_{name}"] = commitment
        made[f"action_{name}"] = action
        made[f"update_{name}"] = ProgressUpdateFactory(
            action=action, plan=plan, reported_on=dt.date(2013, 9, 30)
        )
        made[f"measure_{name}"] = SuccessMeasureFactory(plan=plan, priority=priority)
        made[f"focus_{name}"] = LocalityFocusFactory(plan=plan, locality=LocalityFactory(ccg=ccg))
        made[f"principle_{name}"] = StatementFactory(
            plan=plan, kind="principle", group="Core principles", text="Quality & Safety"
        )
        programme = ProgrammeFactory(ccg=ccg, name=f"Dementia ({ccg.ods_code})")
        made[f"programme_{name}"] = programme
        made[f"intention_{name}"] = ProgrammeIntentionFactory(programme=programme, plan=plan)
        made[f"programme_measure_{name}"] = ProgrammeMeasureFactory(programme=programme)
    for prefix, stem in (
        ("priorities", "priority"),
        ("commitments", "commitment"),
        ("actions", "action"),
        ("progress-updates", "update"),
        ("success-measures", "measure"),
        ("locality-focus", "focus"),
        ("principles", "principle"),
        ("programmes", "programme"),
    ):
        objects[prefix] = (made[f"{stem}_a"].pk, made[f"{stem}_b"].pk)
    return made
