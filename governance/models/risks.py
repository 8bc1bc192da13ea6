"""The risk register and Governing Body Assurance Framework (seed 002 p72; NPSA 2008 matrix).

Score = likelihood × consequence (1-5 each); bands are data (RiskBand), per CCG or the
default set (ccg empty): seed 002's Low 1-3, Moderate 4-6, High 8-12, Extreme 15-25."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..queries import RiskChildQuerySet, RiskQuerySet

LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
CONSEQUENCE = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
ESCALATION_SCORE = 15  # risks scoring this or more go to the governing body


def one_to_five(label: str):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class RiskBand(models.Model):
    """A band of the risk matrix: scores min_score..max_score are `code`."""

    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.CASCADE, null=True,
                            blank=True, related_name="risk_bands")  # fmt: skip
    code = models.SlugField(max_length=20, help_text="low, moderate, high, extreme")
    label = models.CharField(max_length=40)
    min_score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    colour = models.CharField(max_length=7, blank=True, help_text="#RRGGBB")

    class Meta:
        ordering = ["ccg", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "code"], name="risk_band_code_unique"),
            models.CheckConstraint(
                condition=models.Q(max_score__gte=models.F("min_score")),
                name="risk_band_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.min_score}-{self.max_score})"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Risk(models.Model):
    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.PROTECT, related_name="risks")
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    strategic_objective = models.CharField(max_length=300, blank=True)
    priority = models.ForeignKey("priorities.PriorityArea", on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="risks")  # fmt: skip
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    owner = models.CharField(max_length=200, blank=True)
    committee = models.ForeignKey(
        "Committee", on_delete=models.SET_NULL, null=True, blank=True, related_name="risks",
        help_text="The reviewing committee",
    )  # fmt: skip
    inherent_likelihood = one_to_five("inherent likelihood")
    inherent_consequence = one_to_five("inherent consequence")
    current_likelihood = one_to_five("current likelihood")
    current_consequence = one_to_five("current consequence")
    target_likelihood = one_to_five("target likelihood")
    target_consequence = one_to_five("target consequence")
    key_controls = models.TextField(blank=True)
    internal_assurance = models.TextField("sources of assurance (internal)", blank=True)
    external_assurance = models.TextField("sources of assurance (external)", blank=True)
    gaps_in_control = models.TextField(blank=True)
    gaps_in_assurance = models.TextField(blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=RiskStatus.choices,
                              default=RiskStatus.OPEN)  # fmt: skip
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "reference"], name="risk_reference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_consequence

    @property
    def current_score(self) -> int:
        return self.current_likelihood * self.current_consequence

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_consequence


class RiskReview(models.Model):
    """A dated review of a risk: its scores then, so the register shows scores over time."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    likelihood = one_to_five("current likelihood")
    consequence = one_to_five("current consequence")
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")  # fmt: skip

    objects = RiskChildQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.risk.reference} reviewed {self.reviewed_on}"

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


class RiskAction(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = RiskChildQuerySet.as_manager()

    class Meta:
        ordering = ["risk", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]
