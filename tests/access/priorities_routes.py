"""Access expectations of the priorities pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
The world's plans are published and not public: everyone holding a role in CCG A reads the
priorities tab and the plan on a page. The forms that change priorities, commitments,
actions, success measures and locality focus answer 403 to readers who are not planning
managers and 409 to planning managers (and staff, who act as one): a published plan is
read-only.
"""

from tests.access.plan_routes import CHANGE_CONTENT, READ, plan_url

# kind -> (the world's item of that kind, the parent a new one is added under, if any)
KINDS = {
    "priority": ("priority_a", None),
    "commitment": ("commitment_a", "priority_a"),
    "action": ("action_a", "commitment_a"),
    "measure": ("measure_a", None),
    "focus": ("focus_a", None),
}


def _item_routes() -> dict:
    routes = {}
    for kind, (thing, parent) in KINDS.items():
        new = {"parent_id": (parent, "pk")} if parent else {}
        routes[f"plan-{kind}-new"] = ("get", plan_url(f"plan-{kind}-new", **new), CHANGE_CONTENT)
        for action, method in (("edit", "get"), ("delete", "get"), ("move", "post")):
            name = f"plan-{kind}-{action}"
            routes[name] = (method, plan_url(name, item_id=(thing, "pk")), CHANGE_CONTENT)
    return routes


PRIORITIES_ROUTES: dict = {
    "plan-priorities": ("get", plan_url("plan-priorities"), READ),
    "plan-on-a-page": ("get", plan_url("plan-on-a-page"), READ),
    **_item_routes(),
}
