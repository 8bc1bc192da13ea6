"""Forms of the delivery tracker, progress and programme pages, drawn with the NHS.UK
components. They only parse input: every write goes through `priorities.services`, whose
refusals are put back on the form (`add_service_error`). Field ids are the field names, so
the NHS error summary links straight to them (`error_list()`).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from plans.forms_consultation import NhsDateField, NhsForm

from .delivery import rag
from .models import DeliveryStatus
from .tracker import Filters, Options, Quarter


def _text(label: str, required_message: str = "", max_length: int | None = None):
    field = forms.CharField(
        label=label, required=bool(required_message), max_length=max_length, strip=True
    )
    if required_message:
        field.error_messages["required"] = required_message
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


def _revision(message: str) -> forms.IntegerField:
    field = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field.error_messages["required"] = message
    field.error_messages["invalid"] = message
    return field


# --- The tracker's filters ------------------------------------------------------------------


class TrackerFilterForm(NhsForm):
    """The tracker's GET form: every filter optional; a value not offered (an old link) is
    reported and that filter left out."""

    priority = forms.TypedChoiceField(label="Priority", required=False, coerce=int)
    lead = forms.ChoiceField(label="Lead", required=False)
    locality = forms.TypedChoiceField(label="Locality", required=False, coerce=int)
    status = forms.ChoiceField(label="Status", required=False)
    quarter = forms.ChoiceField(label="Quarter due", required=False)
    overdue = forms.BooleanField(label="Overdue actions only", required=False)

    MESSAGES = {
        "priority": "Choose a priority from the list",
        "lead": "Choose a lead from the list",
        "locality": "Choose a locality from the list",
        "status": "Choose a status from the list",
        "quarter": "Choose a quarter from the list",
    }

    def __init__(self, data=None, *, options: Options):
        super().__init__(data)
        self.options = options
        choices = {
            "priority": [(str(p.pk), p.title) for p in options.priorities],
            "lead": [(lead, lead) for lead in options.leads],
            "locality": [(str(pk), name) for pk, name in options.localities],
            "status": list(options.statuses),
            "quarter": [(q.value, q.label) for q in options.quarters],
        }
        for name, values in choices.items():
            self.fields[name].choices = [("", "Any"), *values]
            self.fields[name].error_messages["invalid_choice"] = self.MESSAGES[name]

    def filters(self) -> Filters:
        """The filters that were valid (all of them unless the form has errors)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        quarter = data.get("quarter")
        return Filters(
            priority=data.get("priority") or None,
            lead=data.get("lead") or "",
            locality=data.get("locality") or None,
            status=data.get("status") or "",
            quarter=Quarter.parse(quarter) if quarter else None,
            overdue=bool(data.get("overdue")),
        )

    def select_items(self, name: str) -> list[dict]:
        chosen = str(self[name].value() or "") if self.is_bound else ""
        return [
            {"value": value, "text": text, "selected": str(value) == chosen}
            for value, text in self.fields[name].choices
        ]

    def select_params(self, name: str) -> dict:
        params = {
            "id": name,
            "name": name,
            "label": {"text": self.fields[name].label},
            "items": self.select_items(name),
        }
        error = self.error_for(name)
        if error:
            params["errorMessage"] = {"text": error}
        return params

    def overdue_checked(self) -> bool:
        return self.is_bound and bool(self["overdue"].value())


# --- Progress -------------------------------------------------------------------------------


def status_items(chosen: str = "") -> list[dict]:
    """Radios of the delivery statuses, each with its RAG colour written out."""
    return [
        {
            "value": value,
            "text": label,
            "hint": {"text": f"RAG: {rag(value).label}"},
            "checked": value == chosen,
        }
        for value, label in DeliveryStatus.choices
    ]


class ProgressForm(NhsForm):
    status = forms.ChoiceField(choices=DeliveryStatus.choices)
    narrative = _text("Progress", required_message="Say what has happened since the last update")
    reported_on = NhsDateField(
        noun="The date reported", required_message="Enter the date the progress was reported"
    )

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(data, **kwargs)
        message = "Choose the delivery status"
        self.fields["status"].error_messages |= {"required": message, "invalid_choice": message}

    def field_id(self, name: str) -> str:
        if name == "status":
            return "status"
        return super().field_id(name)

    def status_items(self) -> list[dict]:
        return status_items(str(self["status"].value() or ""))

    def progress_values(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "narrative": data["narrative"],
            "reported_on": data["reported_on"],
        }


# --- Programmes -----------------------------------------------------------------------------


class ProgrammeForm(NhsForm):
    name = _text("Name", required_message="Enter the programme's name", max_length=200)
    lead = _text("Lead", max_length=200)
    description = _text("Description")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("name", "lead", "description")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["revision"] = _revision(
                "This form is out of date: open the programme again and make your changes"
            )
        else:
            del self.fields["revision"]

    def programme_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class MeasureForm(NhsForm):
    text = _text("Measure", required_message="Enter the measure")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["revision"] = _revision(
                "This form is out of date: open the measure again from the programme"
            )
        else:
            del self.fields["revision"]


class LinkCommitmentsForm(NhsForm):
    """Commitments of the CCG's plans to link to a programme (those not linked yet)."""

    commitments = forms.MultipleChoiceField()

    def __init__(self, data=None, *, commitments):
        super().__init__(data)
        self.commitments = list(commitments)
        self.fields["commitments"].choices = [(str(c.pk), c.text) for c in self.commitments]
        message = "Choose one or more commitments to link"
        self.fields["commitments"].error_messages |= {
            "required": message,
            "invalid_choice": "Choose commitments from the list",
        }

    def field_id(self, name: str) -> str:
        return "commitments" if name == "commitments" else super().field_id(name)

    def chosen(self) -> list:
        picked = set(self.cleaned_data["commitments"])
        return [c for c in self.commitments if str(c.pk) in picked]

    def checked(self) -> set[str]:
        return {str(v) for v in (self["commitments"].value() or [])} if self.is_bound else set()


class IntentionForm(NhsForm):
    """What a programme intends in one plan: the plan (one still editable) and the text."""

    plan = forms.TypedChoiceField(coerce=int)
    text = _text("Intention", required_message="Enter what the programme intends in this plan")

    def __init__(self, data=None, *, plans):
        super().__init__(data)
        self.plans = list(plans)
        self.fields["plan"].choices = [(str(p.pk), p.title) for p in self.plans]
        message = "Choose the plan the intention belongs to"
        self.fields["plan"].error_messages |= {
            "required": message,
            "invalid_choice": "Choose one of the plans that can still be changed",
        }

    def field_id(self, name: str) -> str:
        return "plan" if name == "plan" else super().field_id(name)

    def chosen_plan(self):
        return next(p for p in self.plans if p.pk == self.cleaned_data["plan"])

    def plan_items(self) -> list[dict]:
        chosen = str(self["plan"].value() or "") if self.is_bound else ""
        if not chosen and len(self.plans) == 1:
            chosen = str(self.plans[0].pk)
        return [
            {
                "value": str(p.pk),
                "text": p.title,
                "hint": {"text": f"{p.period_label}, {p.get_state_display().lower()}"},
                "checked": str(p.pk) == chosen,
            }
            for p in self.plans
        ]
