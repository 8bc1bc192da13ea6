"""The actors of the permission matrix and what they may read, shared by the route tables."""

from commissioning.access import Role

IN_CCG_ROLES = [Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER]
ACTORS = ["anonymous", "no-role", *IN_CCG_ROLES, "other-ccg", Role.ASSURER, "staff"]
# Who may read CCG A's records (pages and API alike).
READS_A = {*IN_CCG_ROLES, Role.ASSURER, "staff"}
# Who may read national reference data (providers): anyone holding any role.
READS_NATIONAL = READS_A | {"other-ccg"}


def page_expectations(readers):
    return {actor: (200 if actor in readers else 404) for actor in ACTORS} | {
        "anonymous": "login",
        "no-role": 404 if readers is READS_A else 200,
    }


EVERYONE_200 = dict.fromkeys(ACTORS, 200)
SIGNED_IN_200 = {**EVERYONE_200, "anonymous": "login"}
