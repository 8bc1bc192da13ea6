"""Forms of the risk register pages, drawn with the NHS.UK components. They only parse input:
every write goes through `governance.services_risks`, whose refusals are put back on the form
(`add_service_error`). Field ids are the field names (a radios group's first radio, a date's
first box), so the NHS error summary links straight to them (`error_list()`).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from plans.forms_consultation import NhsDateField, NhsForm

from .models import CONSEQUENCE, LIKELIHOOD
from .services_risks import SCORE_FIELDS

LEVEL_CHOICES = [(str(level), str(level)) for level in range(1, 6)]
AXIS_LABELS = {"likelihood": LIKELIHOOD, "consequence": CONSEQUENCE}
STAGE_WORDS = {"inherent": "Inherent", "current": "Current", "target": "Target"}
OUT_OF_DATE = "This form is out of date: open the risk again and make your changes"


def _text(label: str, required_message: str = "", max_length: int | None = None):
    field = forms.CharField(
        label=label, required=bool(required_message), max_length=max_length, strip=True
    )
    if required_message:
        field.error_messages["required"] = required_message
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


def _level(label: str) -> forms.TypedChoiceField:
    message = f"Choose the {label.lower()}"
    return forms.TypedChoiceField(
        label=label,
        choices=LEVEL_CHOICES,
        coerce=int,
        error_messages={"required": message, "invalid_choice": message},
    )


def _revision() -> forms.IntegerField:
    field = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field.error_messages["required"] = OUT_OF_DATE
    field.error_messages["invalid"] = OUT_OF_DATE
    return field


def level_items(axis: str, chosen) -> list[dict]:
    """Radios of a likelihood or consequence: "1 – Rare" to "5 – Almost certain"."""
    labels = AXIS_LABELS[axis]
    return [
        {
            "value": str(level),
            "text": f"{level} – {labels[level]}",
            "checked": str(chosen or "") == str(level),
        }
        for level in range(1, 6)
    ]


class LevelsMixin:
    """Radios parameters of the form's likelihood and consequence fields."""

    def radios_params(self, name: str, legend: str, hint: str = "") -> dict:
        axis = "likelihood" if name.endswith("likelihood") else "consequence"
        params = {
            "idPrefix": name,
            "name": name,
            "classes": "nhsuk-radios--inline app-risk-levels",
            "fieldset": {"legend": {"text": legend, "size": "s"}},
            "items": level_items(axis, self[name].value()),
        }
        if hint:
            params["hint"] = {"text": hint}
        error = self.error_for(name)
        if error:
            params["errorMessage"] = {"text": error}
        return params


# --- The register's filters -----------------------------------------------------------------

SORTS = [
    ("score", "Current score, highest first"),
    ("reference", "Reference"),
    ("review", "Next review date, soonest first"),
]
STATUS_FILTERS = [("open", "Open"), ("closed", "Closed"), ("all", "Open and closed")]
SCORE_KINDS = [("current", "Current"), ("target", "Target")]


class RiskFilterForm(NhsForm):
    """The register's GET form: every filter optional; a value not offered (an old link) is
    reported and that filter left out. `likelihood`, `consequence` and `scores` come from the
    heat map's links (a cell of the current or target matrix)."""

    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_FILTERS)
    band = forms.ChoiceField(label="Current band", required=False)
    committee = forms.TypedChoiceField(label="Reviewing committee", required=False, coerce=int)
    owner = forms.ChoiceField(label="Risk owner", required=False)
    overdue = forms.BooleanField(label="Overdue reviews only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)
    likelihood = forms.TypedChoiceField(required=False, choices=LEVEL_CHOICES, coerce=int)
    consequence = forms.TypedChoiceField(required=False, choices=LEVEL_CHOICES, coerce=int)
    scores = forms.ChoiceField(required=False, choices=SCORE_KINDS)

    MESSAGES = {
        "status": "Choose a status from the list",
        "band": "Choose a band from the list",
        "committee": "Choose a committee from the list",
        "owner": "Choose an owner from the list",
        "sort": "Choose an order from the list",
        "likelihood": "The likelihood must be a whole number from 1 to 5",
        "consequence": "The consequence must be a whole number from 1 to 5",
        "scores": "Choose current or target scores",
    }
    SELECTS = ("status", "band", "committee", "owner", "sort")

    def __init__(self, data=None, *, bands, committees, owners):
        super().__init__(data)
        self.fields["band"].choices = [("", "Any"), *((b.code, b.label) for b in bands)]
        self.fields["committee"].choices = [("", "Any"), *((str(c.pk), c.name) for c in committees)]
        self.fields["owner"].choices = [("", "Any"), *((owner, owner) for owner in owners)]
        for name, message in self.MESSAGES.items():
            self.fields[name].error_messages["invalid_choice"] = message

    def filters(self) -> dict:
        """The filters that were valid, with their defaults: open risks by score."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        return {
            "status": data.get("status") or "open",
            "band": data.get("band") or "",
            "committee": data.get("committee") or None,
            "owner": data.get("owner") or "",
            "overdue": bool(data.get("overdue")),
            "sort": data.get("sort") or "score",
            "likelihood": data.get("likelihood") or None,
            "consequence": data.get("consequence") or None,
            "scores": data.get("scores") or "current",
        }

    def select_params(self, name: str) -> dict:
        chosen = str(self[name].value() or "") if self.is_bound else ""
        if name == "status" and not chosen:
            chosen = "open"
        params = {
            "id": name,
            "name": name,
            "label": {"text": self.fields[name].label},
            "items": [
                {"value": value, "text": text, "selected": str(value) == chosen}
                for value, text in self.fields[name].choices
            ],
        }
        error = self.error_for(name)
        if error:
            params["errorMessage"] = {"text": error}
        return params

    def overdue_checked(self) -> bool:
        return self.is_bound and bool(self["overdue"].value())


# --- A risk ---------------------------------------------------------------------------------


class RiskForm(LevelsMixin, NhsForm):
    reference = _text("Reference", max_length=20)
    title = _text("Risk", required_message="Enter the risk's title", max_length=300)
    strategic_objective = _text("Strategic objective", max_length=300)
    priority = forms.TypedChoiceField(
        label="Linked priority",
        required=False,
        coerce=int,
        error_messages={"invalid_choice": "Choose a priority of the CCG's plans"},
    )
    cause = _text("Cause")
    event = _text("Event")
    effect = _text("Effect")
    owner = _text("Risk owner", max_length=200)
    committee = forms.TypedChoiceField(
        label="Reviewing committee",
        required=False,
        coerce=int,
        error_messages={"invalid_choice": "Choose one of the CCG's committees"},
    )
    inherent_likelihood = _level("Inherent likelihood")
    inherent_consequence = _level("Inherent consequence")
    current_likelihood = _level("Current likelihood")
    current_consequence = _level("Current consequence")
    target_likelihood = _level("Target likelihood")
    target_consequence = _level("Target consequence")
    key_controls = _text("Key controls")
    internal_assurance = _text("Sources of assurance (internal)")
    external_assurance = _text("Sources of assurance (external)")
    gaps_in_control = _text("Gaps in control")
    gaps_in_assurance = _text("Gaps in assurance")
    next_review_on = NhsDateField(noun="The next review date", required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TEXTS = ("reference", "title", "strategic_objective", "cause", "event", "effect", "owner",
             "key_controls", "internal_assurance", "external_assurance", "gaps_in_control",
             "gaps_in_assurance")  # fmt: skip

    def __init__(self, data=None, *, committees=(), priorities=(), editing=False, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["committee"].choices = [("", "None"), *((str(c.pk), c.name)
                                                           for c in committees)]  # fmt: skip
        self.fields["priority"].choices = [
            ("", "None"),
            *((str(p.pk), f"{p.title} ({p.plan.title})") for p in priorities),
        ]
        self.committees = {c.pk: c for c in committees}
        self.priorities = {p.pk: p for p in priorities}
        if editing:
            self.fields["revision"] = _revision()
            self.fields["reference"].required = True
            self.fields["reference"].error_messages["required"] = "Enter the risk's reference"
        else:
            del self.fields["revision"]

    @classmethod
    def initial_for(cls, risk) -> dict:
        initial = {name: getattr(risk, name) for name in (*cls.TEXTS, *SCORE_FIELDS)}
        initial |= {
            "committee": str(risk.committee_id or ""),
            "priority": str(risk.priority_id or ""),
            "next_review_on": risk.next_review_on,
            "revision": risk.revision,
        }
        return initial

    def risk_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in (*self.TEXTS, *SCORE_FIELDS)}
        values["committee"] = self.committees.get(data.get("committee"))
        values["priority"] = self.priorities.get(data.get("priority"))
        values["next_review_on"] = data.get("next_review_on")
        return values

    def select_params(self, name: str, hint: str = "") -> dict:
        chosen = str(self[name].value() or "")
        params = {
            "id": name,
            "name": name,
            "label": {"text": f"{self.fields[name].label} (optional)", "size": "s"},
            "items": [
                {"value": value, "text": text, "selected": str(value) == chosen}
                for value, text in self.fields[name].choices
            ],
        }
        if hint:
            params["hint"] = {"text": hint}
        error = self.error_for(name)
        if error:
            params["errorMessage"] = {"text": error}
        return params


class ReviewForm(LevelsMixin, NhsForm):
    """A review: the current likelihood and consequence now, a note, the dates."""

    current_likelihood = _level("Current likelihood")
    current_consequence = _level("Current consequence")
    note = _text("What the review found")
    reviewed_on = NhsDateField(noun="The review date", required_message="Enter the review date")
    next_review_on = NhsDateField(noun="The next review date", required=False)
    revision = _revision()

    def __init__(self, data=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("reviewed_on", timezone.localdate())
        super().__init__(data, **kwargs)

    def review_values(self) -> dict:
        data = self.cleaned_data
        return {
            "likelihood": data["current_likelihood"],
            "consequence": data["current_consequence"],
            "note": data["note"],
            "reviewed_on": data["reviewed_on"],
            "next_review_on": data.get("next_review_on"),
        }

    def add_service_error(self, error) -> None:
        names = {"likelihood": "current_likelihood", "consequence": "current_consequence"}
        field = getattr(error, "field", None)
        if field in names:
            error.field = names[field]
        super().add_service_error(error)


class RiskActionForm(NhsForm):
    text = _text("Action", required_message="Enter the action")
    owner = _text("Owner", max_length=200)
    due_on = NhsDateField(noun="The due date", required=False)

    def action_values(self) -> dict:
        data = self.cleaned_data
        return {"text": data["text"], "owner": data["owner"], "due_on": data.get("due_on")}


class RevisionForm(NhsForm):
    """Close or reopen a risk: the revision the page was opened at."""

    revision = _revision()
