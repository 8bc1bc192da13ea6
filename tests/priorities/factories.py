"""Factories for priorities, commitments, actions, programmes."""

import factory

from priorities.models import (
    Action,
    Commitment,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
    SuccessMeasure,
)
from tests.factories import CCGFactory, LocalityFactory
from tests.plans.factories import PlanFactory


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityArea

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Priority {n}")
    objective = "Our objective is to integrate services"
    order = factory.Sequence(lambda n: n + 1)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    priority = factory.SubFactory(PriorityFactory)
    text = factory.Sequence(lambda n: f"We will do thing {n}")
    order = factory.Sequence(lambda n: n + 1)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    commitment = factory.SubFactory(CommitmentFactory)
    text = factory.Sequence(lambda n: f"Action {n}")
    order = factory.Sequence(lambda n: n + 1)


class SuccessMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMeasure

    plan = factory.SubFactory(PlanFactory)
    measure = "Emergency admissions for ambulatory care sensitive conditions"
    baseline = "1,200 (2011/12)"
    aspiration = "Reduce by 10%"


class LocalityFocusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalityFocus

    plan = factory.SubFactory(PlanFactory)
    locality = factory.SubFactory(LocalityFactory, ccg=factory.SelfAttribute("..plan.ccg"))
    text = "Discharge planning"


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    plan = factory.LazyAttribute(lambda o: o.action.commitment.priority.plan)
    status = "on-track"
    narrative = "Specification agreed with providers"
    reported_on = factory.Faker("date_between", start_date="-1y", end_date="today")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    ccg = factory.SubFactory(CCGFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")


class ProgrammeIntentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeIntention

    programme = factory.SubFactory(ProgrammeFactory)
    plan = factory.SubFactory(PlanFactory, ccg=factory.SelfAttribute("..programme.ccg"))
    text = "Commission a memory assessment service"


class ProgrammeMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeMeasure

    programme = factory.SubFactory(ProgrammeFactory)
    text = "95% of people wait no longer than 8 weeks for the Memory Assessment Clinic"
