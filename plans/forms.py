"""Forms of the plan pages, rendered with NHS.UK components (templates/plans/_forms.jinja).

Field ids are the field names (`auto_id="%s"`), so an error summary links straight to the
field. The forms only parse input: every write goes through `plans.services`, whose refusals
are put back on the form with `add_service_error`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from commissioning.fields import FinancialYearFormField

from .errors import PlanError
from .models import PlanKind, StatementKind


class PageForm(forms.Form):
    """A form whose field ids are the field names and whose errors read as NHS.UK asks."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_error(self, error: PlanError) -> None:
        """A service's refusal, on the field it names when this form has it."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)

    def add_validation_error(self, error: ValidationError) -> None:
        """A model's `full_clean` errors, on the fields this form has (else on the form)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for item in errors:
                    self.add_error(name if name in self.fields else None, item.messages)
        else:
            self.add_error(None, error.messages)


def _required(message: str) -> dict:
    return {"required": message}


class PlanForm(PageForm):
    """The plan's details: used to create a plan and to edit one (with `revision`)."""

    kind = forms.ChoiceField(
        label="Kind of plan",
        choices=PlanKind.choices,
        error_messages={
            "required": "Choose the kind of plan",
            "invalid_choice": "Choose the kind of plan",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            **_required("Enter the plan's title"),
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    first_year = FinancialYearFormField(
        label="First financial year",
        help_text="For example, 2015/16",
        error_messages=_required("Enter the first financial year, for example 2015/16"),
    )
    last_year = FinancialYearFormField(
        label="Last financial year",
        help_text="For example, 2018/19. For a one-year plan, the same as the first year",
        error_messages=_required("Enter the last financial year, for example 2018/19"),
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea,
        help_text="A short description, shown in the list of plans",
    )
    vision = forms.CharField(label="Vision", required=False, widget=forms.Textarea)
    mission = forms.CharField(label="Mission", required=False, widget=forms.Textarea)
    is_public = forms.BooleanField(
        label="Public: once published, anyone may read this plan",
        required=False,
    )

    SERVICE_FIELDS = (
        "kind",
        "title",
        "first_year",
        "last_year",
        "summary",
        "vision",
        "mission",
        "is_public",
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_year"), data.get("last_year")
        if first and last and last < first:
            self.add_error("last_year", "The last year must be the same as or after the first")
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class PlanCreateForm(PlanForm):
    draft_number = forms.IntegerField(
        label="Starting draft number",
        initial=1,
        min_value=1,
        max_value=999,
        help_text=(
            'If earlier drafts were written elsewhere, the draft this one is: 5 for "Draft 5"'
        ),
        error_messages={
            "required": "Enter the starting draft number, for example 1",
            "invalid": "The starting draft number must be a whole number, for example 5",
            "min_value": "The starting draft number must be 1 or more",
            "max_value": "The starting draft number must be 999 or less",
        },
    )

    def values(self) -> dict:
        return {**super().values(), "draft_number": self.cleaned_data["draft_number"]}


class PlanEditForm(PlanForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SectionForm(PageForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            **_required("Enter the section's title"),
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    body = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea,
        strip=False,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class StatementForm(PageForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=StatementKind.choices,
        error_messages={
            "required": "Choose what kind of statement this is",
            "invalid_choice": "Choose what kind of statement this is",
        },
    )
    group = forms.CharField(
        label="Heading (optional)",
        max_length=120,
        required=False,
        help_text='A heading it sits under, for example "Core principles"',
        error_messages={"max_length": "The heading must be 120 characters or fewer"},
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text='A short name, for example "Unscheduled care"',
        error_messages={"max_length": "The title must be 200 characters or fewer"},
    )
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea,
        error_messages=_required("Enter the statement's text"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("kind", "group", "title", "text")}


class MoveForm(PageForm):
    """The note recorded with a lifecycle move; required when the move needs a reason."""

    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)

    def __init__(self, *args, move, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        note = self.fields["note"]
        if move.note_required:
            note.required = True
            note.label = "Reason"
            note.help_text = "Say why: it is recorded with the new version for everyone to read"
            note.error_messages["required"] = (
                f"Give a reason: {move.label[0].lower() + move.label[1:]} needs a note saying why"
            )
        else:
            note.label = "Note (optional)"
            note.help_text = "Recorded with the new version, for example what changed"


class RefreshForm(PageForm):
    title = forms.CharField(
        label="Title of the refresh",
        max_length=200,
        error_messages={
            **_required("Enter a title for the refresh"),
            "max_length": "The title must be 200 characters or fewer",
        },
    )
