"""Plan kinds and lifecycle states: the names other systems code against (API.md)."""

from django.db import models


class PlanKind(models.TextChoices):
    STRATEGIC = "strategic-plan", "Strategic plan"
    OPERATIONAL = "operational-plan", "Operational plan"
    DELIVERY = "delivery-plan", "Delivery plan"
    INTENTIONS = "commissioning-intentions", "Commissioning intentions"
    INTEGRATED = "integrated-plan", "Integrated plan"


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "In consultation"
    SUBMITTED = "submitted", "Submitted to the governing body"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Content (sections, statements, and what later apps hang under a plan) changes only here.
EDITABLE_STATES = frozenset({PlanState.DRAFT, PlanState.CONSULTATION})
# States in which a plan has been published: scrutiny members (and, if public, anyone) read it.
PUBLISHED_STATES = frozenset({PlanState.PUBLISHED, PlanState.SUPERSEDED})
# Still being worked towards approval.
DRAFTING_STATES = frozenset({PlanState.DRAFT, PlanState.CONSULTATION, PlanState.SUBMITTED})
