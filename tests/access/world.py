"""The permission matrix's world: CCG A and CCG B with one of everything, and an actor each.

`build_world()` makes it (the `world` fixture in conftest.py); each app adds its records
through its own module (plan_world, priorities_world) so the matrix grows with the product.
"""

from dataclasses import dataclass

from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.models import CommissionedProvider
from tests.access.actors import IN_CCG_ROLES
from tests.access.assurance_world import assurance_world
from tests.access.audit_world import audit_world
from tests.access.finance_world import finance_world
from tests.access.meetings_world import meetings_world
from tests.access.performance_world import performance_world
from tests.access.plan_world import plan_world
from tests.access.priorities_world import priorities_world
from tests.access.risks_world import risks_world
from tests.factories import (
    CCGFactory,
    LocalityFactory,
    PartnerFactory,
    PersonFactory,
    PracticeFactory,
    ProviderFactory,
    SeatFactory,
    UserFactory,
    user_with_role,
)


@dataclass
class World:
    a: object
    b: object
    objects: dict  # api prefix -> (lookup of A's object, lookup of B's object)
    users: dict
    things: dict  # named objects page routes need: "plan_a", "section_a", ...


def build_world():
    a = CCGFactory(ods_code="03L", name="NHS Rotherham CCG")
    b = CCGFactory(ods_code="04R", name="NHS Southern Derbyshire CCG")
    objects = {"ccgs": ("03L", "04R")}
    loc_a, loc_b = LocalityFactory(ccg=a), LocalityFactory(ccg=b)
    objects["localities"] = (loc_a.pk, loc_b.pk)
    pr_a, pr_b = PracticeFactory(ccg=a, locality=loc_a), PracticeFactory(ccg=b, locality=loc_b)
    objects["practices"] = (pr_a.ods_code, pr_b.ods_code)
    prov_a, prov_b = ProviderFactory(ods_code="RFR"), ProviderFactory(ods_code="RTG")
    CommissionedProvider.objects.create(ccg=a, provider=prov_a)
    CommissionedProvider.objects.create(ccg=b, provider=prov_b)
    objects["providers"] = ("RFR", "RTG")
    part_a, part_b = PartnerFactory(ccg=a), PartnerFactory(ccg=b)
    objects["partners"] = (part_a.pk, part_b.pk)
    per_a, per_b = PersonFactory(ccg=a), PersonFactory(ccg=b)
    objects["people"] = (per_a.pk, per_b.pk)
    seat_a, seat_b = SeatFactory(ccg=a, person=per_a), SeatFactory(ccg=b, person=per_b)
    objects["governing-body-seats"] = (seat_a.pk, seat_b.pk)
    things = plan_world(a, b, objects)
    for app_world in (priorities_world, performance_world, finance_world, meetings_world,
                      risks_world, assurance_world, audit_world):  # fmt: skip
        before = dict(objects)
        added = app_world(a, b, objects, things)
        clash = set(added) & set(things)
        # One world reusing another's key would silently point its routes at the wrong row.
        assert not clash, f"{app_world.__name__} reuses the keys {sorted(clash)}"
        changed = [key for key, value in before.items() if objects.get(key) != value]
        assert not changed, f"{app_world.__name__} overwrites the API prefixes {changed}"
        things |= added
    users = {"anonymous": None, "no-role": UserFactory(username="norole")}
    for role in IN_CCG_ROLES:
        users[role] = user_with_role(role, a)
    users["other-ccg"] = user_with_role(Role.PLANNING_MANAGER, b)
    users[Role.ASSURER] = user_with_role(Role.ASSURER)
    users["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return World(a=a, b=b, objects=objects, users=users, things=things)


def client_for(world, actor):
    client = APIClient()
    if world.users[actor] is not None:
        client.force_login(world.users[actor])
    return client
