"""Organisations: CCGs, their localities and member practices, providers and partners.

Organisations open and close (CCGs merged, practices closed): keep dates and a successor
rather than deleting. ODS codes are the public identifiers.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from ..access import ScopedQuerySet

ccg_code_validator = RegexValidator(
    r"^[0-9A-Z]{3,5}$", "An ODS code for a CCG is 3 to 5 capital letters or digits, e.g. 03L."
)
practice_code_validator = RegexValidator(
    r"^[A-Z][0-9]{5}$", "A GP practice ODS code is one capital letter and 5 digits, e.g. C87001."
)
provider_code_validator = RegexValidator(
    r"^[0-9A-Z]{3,5}$", "A provider ODS code is 3 to 5 capital letters or digits, e.g. RFR."
)


class DatedOrganisation(models.Model):
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.open_date and self.close_date and self.close_date < self.open_date:
            raise ValidationError({"close_date": "The close date cannot be before the open date."})

    @property
    def is_open(self) -> bool:
        return self.close_date is None


class CCGQuerySet(ScopedQuerySet):
    ccg_path = "pk"


class CCG(DatedOrganisation):
    ods_code = models.CharField(
        "ODS code", max_length=5, unique=True, validators=[ccg_code_validator]
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    region = models.CharField(max_length=120, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_as_of = models.DateField(null=True, blank=True)
    population_note = models.CharField(
        max_length=300, blank=True, help_text="How the population is stated, and where."
    )
    address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )
    source_note = models.TextField(blank=True, help_text="Where these facts come from.")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CCGQuerySet.as_manager()

    class Meta:
        verbose_name = "CCG"
        verbose_name_plural = "CCGs"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(close_date__isnull=True)
                | Q(open_date__isnull=True)
                | Q(close_date__gte=models.F("open_date")),
                name="ccg_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class LocalityQuerySet(ScopedQuerySet):
    pass


class Locality(models.Model):
    ccg = models.ForeignKey(CCG, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text="Short code, e.g. DAC.")
    population = models.PositiveIntegerField(null=True, blank=True)
    population_note = models.CharField(max_length=300, blank=True)
    stated_practice_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="The number of practices the CCG's documents state."
    )

    objects = LocalityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "localities"
        ordering = ["ccg__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "name"], name="locality_name_unique_in_ccg"),
            models.UniqueConstraint(
                fields=["ccg", "code"], condition=~Q(code=""), name="locality_code_unique_in_ccg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class PracticeStatus(models.TextChoices):
    ACTIVE = "A", "Active"
    CLOSED = "C", "Closed"
    DORMANT = "D", "Dormant"
    PROPOSED = "P", "Proposed"


def open_practices(prefix: str = "") -> Q:
    """Practices still open: no close date and not marked closed in the register.

    `prefix` reaches practices from another model, e.g. `open_practices("practices__")`.
    """
    return Q(**{f"{prefix}close_date__isnull": True}) & ~Q(
        **{f"{prefix}status": PracticeStatus.CLOSED}
    )


class PracticeQuerySet(ScopedQuerySet):
    def with_latest_list_size(self):
        latest = PracticeListSize.objects.filter(practice=models.OuterRef("pk")).order_by("-date")
        return self.annotate(
            latest_list_size=models.Subquery(latest.values("patients")[:1]),
            latest_list_size_date=models.Subquery(latest.values("date")[:1]),
        )


class Practice(DatedOrganisation):
    ods_code = models.CharField(
        "ODS code", max_length=6, unique=True, validators=[practice_code_validator]
    )
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    ccg = models.ForeignKey(
        CCG,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        help_text="The commissioner (parent CCG).",
    )
    commissioner_code = models.CharField(
        max_length=5, blank=True, help_text="The parent CCG code as the register gives it."
    )
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices"
    )
    status = models.CharField(
        max_length=1, choices=PracticeStatus.choices, default=PracticeStatus.ACTIVE
    )
    telephone = models.CharField(max_length=30, blank=True)
    prescribing_setting = models.PositiveSmallIntegerField(null=True, blank=True)
    is_placeholder = models.BooleanField(
        default=False,
        help_text="A demo stand-in practice: the source documents give only a count.",
    )
    ods_code_is_stand_in = models.BooleanField(
        default=False,
        help_text="The ODS code is a demo stand-in: the source names the practice but no code.",
    )
    source_note = models.CharField(max_length=300, blank=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def clean(self):
        super().clean()
        if self.locality_id and self.ccg_id and self.locality.ccg_id != self.ccg_id:
            raise ValidationError({"locality": "The locality belongs to another CCG."})


class PracticeListSizeQuerySet(ScopedQuerySet):
    ccg_path = "practice__ccg"


class PracticeListSize(models.Model):
    """Registered patients at a practice on a date: list sizes change every month."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="list_sizes")
    date = models.DateField()
    patients = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    objects = PracticeListSizeQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "date"], name="one_list_size_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.practice.ods_code} {self.date}: {self.patients}"


class ProviderKind(models.TextChoices):
    ACUTE = "acute", "Acute"
    MENTAL_HEALTH = "mental-health", "Mental health"
    COMMUNITY = "community", "Community"
    AMBULANCE = "ambulance", "Ambulance"
    INDEPENDENT = "independent", "Independent sector"
    VOLUNTARY = "voluntary", "Voluntary sector"


class ProviderQuerySet(models.QuerySet):
    """Providers are national reference data: any signed-in user with a role may read them."""

    def for_user(self, user, roles=None):
        from ..access import ccg_scope

        scope = ccg_scope(user)
        if scope.everything or scope.ccg_ids(roles):
            return self
        return self.none()


class Provider(DatedOrganisation):
    ods_code = models.CharField(
        "ODS code", max_length=5, unique=True, validators=[provider_code_validator]
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    website = models.URLField(blank=True)
    source_note = models.CharField(max_length=300, blank=True)
    commissioners = models.ManyToManyField(
        CCG, through="CommissionedProvider", related_name="providers", blank=True
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"


class CommissionedProviderQuerySet(ScopedQuerySet):
    pass


class CommissionedProvider(models.Model):
    """A provider a CCG commissions from, with what the CCG's documents say of it."""

    ccg = models.ForeignKey(CCG, on_delete=models.CASCADE, related_name="provider_links")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="ccg_links")
    note = models.CharField(max_length=300, blank=True)

    objects = CommissionedProviderQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "provider"], name="provider_once_per_ccg")
        ]

    def __str__(self) -> str:
        return f"{self.ccg.ods_code} commissions from {self.provider.ods_code}"


class PartnerKind(models.TextChoices):
    LOCAL_AUTHORITY = "local-authority", "Local authority"
    HEALTH_AND_WELLBEING_BOARD = "health-and-wellbeing-board", "Health and Wellbeing Board"
    SCRUTINY_COMMITTEE = "scrutiny-committee", "Scrutiny committee"
    OTHER = "other", "Other partner"


class PartnerQuerySet(ScopedQuerySet):
    pass


class PartnerOrganisation(models.Model):
    ccg = models.ForeignKey(CCG, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=PartnerKind.choices)
    website = models.URLField(blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["ccg__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "name"], name="partner_name_unique_in_ccg")
        ]

    def __str__(self) -> str:
        return self.name
