"""Risks of CCG A and CCG B in the permission matrix's world: an open risk of each scoring 16
(extreme, so escalated), with an action, and a closed risk of CCG A. Risks are internal:
scrutiny members do not read them (see INTERNAL in test_permission_matrix)."""

import datetime as dt

from governance import services_risks as services


def _risk(ccg, reference: str, title: str):
    risk = services.create_risk(
        ccg,
        user=None,
        reference=reference,
        title=title,
        strategic_objective="Deliver financial balance",
        owner="Chief Finance Officer",
        inherent_likelihood=5,
        inherent_consequence=4,
        current_likelihood=4,
        current_consequence=4,
        target_likelihood=2,
        target_consequence=3,
        key_controls="Monthly QIPP monitoring",
        next_review_on=dt.date(2016, 6, 30),
    )
    action = services.add_risk_action(risk, user=None, text="Agree recovery plan", owner="CFO")
    return risk, action


def risks_world(a, b, objects: dict, things: dict) -> dict:
    risk_a, action_a = _risk(a, "R01", "QIPP savings not delivered")
    risk_b, action_b = _risk(b, "R01", "Acute contract over-performance")
    closed_a, _ = _risk(a, "R02", "Closed risk of 03L")
    services.close_risk(closed_a, user=None)
    objects["risks"] = (risk_a.pk, risk_b.pk)
    return {
        "risk_a": risk_a,
        "risk_b": risk_b,
        "risk_action_a": action_a,
        "risk_action_b": action_b,
        "closed_risk_a": closed_a,
    }
