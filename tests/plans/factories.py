"""Factories for plans and what hangs under them."""

import datetime as dt

import factory
from django.utils import timezone

from commissioning.years import FinancialYear
from plans import snapshots
from plans.models import (
    Consultation,
    ConsultationComment,
    Milestone,
    Plan,
    PlanStatement,
    PlanVersion,
    Section,
)
from tests.factories import CCGFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    ccg = factory.SubFactory(CCGFactory)
    kind = "strategic-plan"
    title = factory.Sequence(lambda n: f"Commissioning Plan {n}")
    first_year = FinancialYear(2015)
    last_year = FinancialYear(2018)
    state = "draft"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    body = "We will commission care closer to home."
    order = factory.Sequence(lambda n: n + 1)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanStatement

    plan = factory.SubFactory(PlanFactory)
    kind = "aim"
    text = factory.Sequence(lambda n: f"Strategic aim {n}")
    order = factory.Sequence(lambda n: n + 1)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    plan = factory.SubFactory(PlanFactory)
    title = "First draft to stakeholders"
    due_on = dt.date(2015, 12, 14)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    plan = factory.SubFactory(PlanFactory)
    opens_on = dt.date(2015, 12, 14)
    closes_on = dt.date(2016, 1, 22)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationComment

    plan = factory.SubFactory(PlanFactory)
    consultation = factory.SubFactory(ConsultationFactory, plan=factory.SelfAttribute("..plan"))
    on_behalf_of = "Health Select Commission"
    body = "Please say more about children's mental health services."


class VersionFactory(factory.django.DjangoModelFactory):
    """A version frozen from the plan as it is (bypasses the lifecycle: for fixtures only)."""

    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: o.plan.version_label)
    from_state = "approved"
    to_state = "published"
    created_at = factory.LazyFunction(timezone.now)
    content = factory.LazyAttribute(lambda o: snapshots.take(o.plan))
