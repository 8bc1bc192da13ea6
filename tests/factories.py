"""factory_boy factories for the core domain; later apps add theirs beside their tests."""

import factory
from django.contrib.auth import get_user_model

from commissioning.access import Role
from commissioning.models import (
    CCG,
    GoverningBodyMembership,
    Locality,
    Membership,
    PartnerOrganisation,
    Person,
    Practice,
    Provider,
)
from commissioning.models.people import SeatCategory

PASSWORD = "correct-horse-battery"


class CCGFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CCG
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"{90 + n // 26 % 10}{chr(65 + n % 26)}{n % 10}")
    name = factory.Sequence(lambda n: f"NHS Test CCG {n}")
    short_name = factory.LazyAttribute(lambda o: o.name.removeprefix("NHS ").removesuffix(" CCG"))
    population = 250_000


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    ccg = factory.SubFactory(CCGFactory)
    name = factory.Sequence(lambda n: f"Locality {n}")
    code = factory.Sequence(lambda n: f"L{n}")
    population = 50_000


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    ods_code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Test Surgery {n}")
    town = "Testtown"
    ccg = factory.SubFactory(CCGFactory)
    locality = None


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"R{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Test NHS Foundation Trust {n}")
    kind = "acute"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    ccg = factory.SubFactory(CCGFactory)
    name = factory.Sequence(lambda n: f"Test Council {n}")
    kind = "local-authority"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    ccg = factory.SubFactory(CCGFactory)
    name = factory.Sequence(lambda n: f"Dr Test Person {n}")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoverningBodyMembership

    ccg = factory.SubFactory(CCGFactory)
    person = factory.SubFactory(PersonFactory, ccg=factory.SelfAttribute("..ccg"))
    title = "GP member"
    category = SeatCategory.GP
    voting = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nhs.uk")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    ccg = factory.SubFactory(CCGFactory)
    role = Role.PLANNING_MANAGER


def user_with_role(role: str, ccg: CCG | None = None, **user_kwargs):
    """A user holding `role` in `ccg` (an assurer has no CCG)."""
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, ccg=None if role == Role.ASSURER else ccg, role=role)
    return user
