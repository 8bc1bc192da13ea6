"""Forms of the consultation and milestone pages, rendered with the NHS.UK components.

Each form knows the id of the element its errors should link to (`error_list()` gives the NHS
error summary's list) and how to turn the services' refusals into field errors
(`add_service_error`). Dates are the NHS date input: day, month and year boxes.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core.exceptions import ValidationError

from . import snapshots
from .models import Outcome
from .services.consultation import target_choices

DATE_PARTS = ("day", "month", "year")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


class DatePartsWidget(forms.Widget):
    """Reads `<name>-day`, `<name>-month` and `<name>-year` as a tuple of strings."""

    def value_from_datadict(self, data, files, name):
        return tuple((data.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS)

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in DATE_PARTS)


class NhsDateField(forms.Field):
    """A date typed into three boxes, with the error messages of the NHS date input pattern.

    `noun` names the date in messages ("The opening date"); `required_message` is shown when
    all three boxes are empty. After a failed clean, `error_part` is the box to link to.
    """

    widget = DatePartsWidget

    def __init__(self, *, noun: str, required_message: str = "", **kwargs):
        super().__init__(**kwargs)
        self.noun = noun
        self.required_message = required_message or f"Enter {noun[0].lower() + noun[1:]}"
        self.error_part = "day"

    def to_python(self, value):
        if value is None or isinstance(value, dt.date):
            return value
        parts = dict(zip(DATE_PARTS, value, strict=True))
        if not any(parts.values()):
            return None
        missing = [part for part in DATE_PARTS if not parts[part]]
        if missing:
            self.error_part = missing[0]
            raise ValidationError(
                f"{self.noun} must include a {' and a '.join(missing)}", code="incomplete"
            )
        month = parts["month"].lower()
        month = str(MONTH_NAMES[month]) if month in MONTH_NAMES else month
        if not (parts["day"].isdigit() and month.isdigit() and parts["year"].isdigit()):
            self.error_part = next(
                p
                for p, v in (("day", parts["day"]), ("month", month), ("year", parts["year"]))
                if not v.isdigit()
            )
            raise ValidationError(f"{self.noun} must be a real date", code="invalid")
        if len(parts["year"]) != 4:
            self.error_part = "year"
            raise ValidationError("The year must include 4 numbers", code="invalid")
        try:
            return dt.date(int(parts["year"]), int(month), int(parts["day"]))
        except ValueError:
            self.error_part = "day"
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None

    def validate(self, value):
        if value is None and self.required:
            self.error_part = "day"
            raise ValidationError(self.required_message, code="required")


class NhsForm(forms.Form):
    """What every form on these pages shares: error links and the services' field errors."""

    def field_id(self, name: str) -> str:
        field = self.fields.get(name)
        if isinstance(field, NhsDateField):
            return f"{name}-{field.error_part}"
        return name

    def error_for(self, name: str) -> str | None:
        errors = self.errors.get(name) if self.is_bound else None
        return errors[0] if errors else None

    def error_list(self) -> list[dict]:
        """The NHS error summary's items, in the order the fields appear."""
        if not self.is_bound or not self.errors:
            return []
        items = [{"text": str(message)} for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append({"text": str(message), "href": f"#{self.field_id(name)}"})
        return items

    def add_service_error(self, error) -> None:
        """A refusal from plans.services (InvalidMove, ReadOnly) or a model ValidationError."""
        if isinstance(error, ValidationError):
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    target = field if field in self.fields else None
                    for message in messages:
                        self.add_error(target, message)
            else:
                for message in error.messages:
                    self.add_error(None, message)
            return
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, error.message)

    def date_input(self, name: str, legend: str, hint: str = "") -> dict:
        """Parameters of the NHS date input macro for the date field `name`."""
        field = self.fields[name]
        value = self[name].value()
        if isinstance(value, dt.date):
            values = {"day": value.day, "month": value.month, "year": value.year}
        elif isinstance(value, tuple):
            values = dict(zip(DATE_PARTS, value, strict=True))
        else:
            values = dict.fromkeys(DATE_PARTS, "")
        error = self.error_for(name)
        items = []
        for part, width in (("day", 2), ("month", 2), ("year", 4)):
            items.append(
                {
                    "id": f"{name}-{part}",
                    "name": f"{name}-{part}",
                    "label": part.capitalize(),
                    "value": values[part],
                    "width": width,
                    "classes": f"nhsuk-input--width-{width}"
                    + (" nhsuk-input--error" if error else ""),
                }
            )
        params = {
            "id": name,
            "fieldset": {"legend": {"text": legend, "size": "s"}},
            "items": items,
        }
        if hint:
            params["hint"] = {"text": hint}
        if error:
            params["errorMessage"] = {"text": error}
        if not field.required:
            params["fieldset"]["legend"]["text"] = f"{legend} (optional)"
        return params


def _text(label: str = "", required_message: str = "", max_length: int | None = None, **kw):
    field = forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=max_length,
        strip=True,
        **kw,
    )
    if required_message:
        field.error_messages["required"] = required_message
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


# --- Consultation ---------------------------------------------------------------------------


class OpenConsultationForm(NhsForm):
    """Open consultation on a draft: the window, who is invited, and a note for the version."""

    opens_on = NhsDateField(noun="The opening date", required_message="Enter the opening date")
    closes_on = NhsDateField(noun="The closing date", required_message="Enter the closing date")
    purpose = _text("Purpose")
    invited_users = forms.MultipleChoiceField(required=False)
    invited_partners = forms.ModelMultipleChoiceField(queryset=None, required=False)
    invited_localities = forms.ModelMultipleChoiceField(queryset=None, required=False)
    note = _text("Note")

    def __init__(self, *args, memberships, partners, localities, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        self.fields["invited_users"].choices = [
            (str(m.user_id), person_name(m.user)) for m in self.memberships
        ]
        self.fields["invited_users"].error_messages["invalid_choice"] = (
            "Invite only people with a role in this plan's CCG"
        )
        self.fields["invited_partners"].queryset = partners
        self.fields["invited_localities"].queryset = localities
        for name in ("invited_partners", "invited_localities"):
            self.fields[name].error_messages["invalid_choice"] = "Choose from the list"

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.fields["closes_on"].error_part = "day"
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return cleaned

    def _chosen(self, name: str) -> set[str]:
        value = self[name].value() or []
        return {str(getattr(v, "pk", v)) for v in value}

    def people_items(self) -> list[dict]:
        chosen = self._chosen("invited_users")
        return [
            {
                "value": str(m.user_id),
                "text": person_name(m.user),
                "hint": m.get_role_display(),
                "checked": str(m.user_id) in chosen,
            }
            for m in self.memberships
        ]

    def model_items(self, name: str) -> list[dict]:
        """Checkboxes of partners (with their kind) or localities."""
        chosen = self._chosen(name)
        items = []
        for item in self.fields[name].queryset:
            entry = {"value": str(item.pk), "text": str(item), "checked": str(item.pk) in chosen}
            if hasattr(item, "get_kind_display"):
                entry["hint"] = item.get_kind_display()
            items.append(entry)
        return items

    def window(self) -> dict:
        data = self.cleaned_data
        return {
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "purpose": data["purpose"],
            "invited_users": [int(pk) for pk in data["invited_users"]],
            "invited_partners": list(data["invited_partners"]),
            "invited_localities": list(data["invited_localities"]),
        }


def person_name(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


WHOLE_PLAN = ""


def about_choices(plan) -> list[tuple[str, str]]:
    """What a comment may be about, as (value, label): "" the whole plan, else
    "collection:key" (see services.consultation.target_choices)."""
    choices = [(WHOLE_PLAN, "The whole plan")]
    for collection, key, label in target_choices(plan):
        kind = snapshots.get(collection)
        prefix = kind.item_label.capitalize() if kind else collection
        choices.append((f"{collection}:{key}", f"{prefix}: {label}" if label else prefix))
    return choices


def split_about(value: str) -> tuple[str, uuid.UUID | None]:
    if not value:
        return "", None
    collection, _, key = value.partition(":")
    try:
        return collection, uuid.UUID(key)
    except ValueError:
        return collection, None


class CommentForm(NhsForm):
    """A comment on the plan or one of its parts; planning managers may record it for a
    stakeholder (a named person or body, a partner organisation, a locality)."""

    about = forms.ChoiceField(required=False)
    body = _text("Comment", required_message="Enter your comment")
    on_behalf_of = _text("On behalf of", max_length=200)
    partner = forms.ModelChoiceField(queryset=None, required=False)
    locality = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, plan, for_others: bool, partners=None, localities=None, **kw):
        super().__init__(*args, **kw)
        self.choices = about_choices(plan)
        self.fields["about"].choices = self.choices
        self.fields["about"].error_messages["invalid_choice"] = (
            "Choose a part of this plan to comment on"
        )
        self.for_others = for_others
        if for_others:
            self.fields["partner"].queryset = partners
            self.fields["locality"].queryset = localities
            for name in ("partner", "locality"):
                self.fields[name].error_messages["invalid_choice"] = "Choose from the list"
        else:
            for name in ("on_behalf_of", "partner", "locality"):
                del self.fields[name]

    def field_id(self, name: str) -> str:
        return "body" if name == "body" else super().field_id(name)

    def about_items(self) -> list[dict]:
        return [{"value": value, "text": label} for value, label in self.choices]

    def model_items(self, name: str, empty: str) -> list[dict]:
        chosen = str(self[name].value() or "")
        items = [{"value": "", "text": empty}]
        for item in self.fields[name].queryset:
            items.append(
                {"value": str(item.pk), "text": str(item), "selected": str(item.pk) == chosen}
            )
        return items

    def comment_values(self) -> dict:
        data = self.cleaned_data
        collection, key = split_about(data["about"])
        values = {"body": data["body"], "target_collection": collection, "target_key": key}
        if self.for_others:
            values |= {
                "on_behalf_of": data["on_behalf_of"],
                "partner": data["partner"],
                "locality": data["locality"],
            }
        return values


class ResponseForm(NhsForm):
    """The planning manager's response to a comment: accepted, partly or not (with why)."""

    response = _text("Response", required_message="Enter your response to the comment")
    outcome = forms.ChoiceField(choices=Outcome.choices)
    outcome_reason = _text("Reason")
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = "Choose whether the comment is accepted, partly accepted or not accepted"
        self.fields["outcome"].error_messages |= {"required": message, "invalid_choice": message}
        self.fields["revision"].error_messages["required"] = (
            "This form is out of date: open the comment again from the consultation page"
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome and outcome != Outcome.ACCEPTED and not cleaned.get("outcome_reason"):
            self.add_error(
                "outcome_reason",
                f"Give the reason the comment is {Outcome(outcome).label.lower()}",
            )
        return cleaned

    def outcome_items(self) -> list[dict]:
        chosen = self["outcome"].value() or ""
        return [
            {"value": value, "text": label, "checked": value == chosen}
            for value, label in Outcome.choices
        ]


# --- Milestones -----------------------------------------------------------------------------


class MilestoneForm(NhsForm):
    title = _text("Title", required_message="Enter the milestone", max_length=200)
    due_on = NhsDateField(noun="The due date", required_message="Enter the date it is due")
    done_on = NhsDateField(noun="The date it was done", required=False)
    note = _text("Note")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["revision"].required = True
            self.fields["revision"].error_messages["required"] = (
                "This form is out of date: open the milestone again from the milestones page"
            )
        else:
            del self.fields["revision"]

    def milestone_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "due_on", "done_on", "note")}
