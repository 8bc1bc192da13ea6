"""Audit events of CCG A and CCG B in the permission matrix's world: a change to each CCG's
open risk (made after every other world, so it is among the newest events). The audit log
is for governing body members and planning managers (and staff): see AUDIT_READERS in
audit_routes."""


def audit_world(a, b, objects: dict, things: dict) -> dict:
    ids = []
    for name in ("risk_a", "risk_b"):
        risk = things[name]
        risk.owner = "Audit trail owner"
        risk.save()
        ids.append(f"risk-{risk.history.latest().history_id}")
    objects["audit-events"] = tuple(ids)
    return {}
