"""Forms of the committee and meeting pages, drawn with the NHS.UK components.

They only parse input: every write goes through `governance.services_meetings`, whose
refusals are put back on the form (`add_service_error`). Field ids are the field names, so
the NHS error summary links straight to them (`error_list()`), and each form gives the
parameters of the NHS macros for its fields (`input_params`, `textarea_params`, ...), so the
templates stay short. Choices of related records (committees, people, plans, items) are given
by the views, read with `for_user`.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from plans.forms_consultation import NhsDateField, NhsForm

from .models import (
    ActionStatus,
    CommitteeKind,
    MeetingStatus,
    MemberCategory,
    MemberRole,
    Part,
    Purpose,
)
from .services_meetings import APOLOGIES, NOT_RECORDED, PRESENT

MAX_PAPER_BYTES = 20 * 1024 * 1024
PAPER_TYPES = (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".txt",
               ".csv", ".rtf")  # fmt: skip


def _text(label: str, required_message: str = "", max_length: int | None = None,
          help_text: str = "", textarea: bool = False) -> forms.CharField:  # fmt: skip
    field = forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=max_length,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea if textarea else None,
    )
    if required_message:
        field.error_messages["required"] = required_message
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


def _choice(label: str, choices, message: str, *, required: bool = True, help_text: str = ""):
    field = forms.ChoiceField(label=label, choices=choices, required=required,
                              help_text=help_text)  # fmt: skip
    field.error_messages |= {"required": message, "invalid_choice": message}
    return field


def _revision(message: str) -> forms.IntegerField:
    field = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field.error_messages["required"] = message
    field.error_messages["invalid"] = message
    return field


class MeetingsForm(NhsForm):
    """NhsForm with the NHS macros' parameters for each kind of field."""

    REVISION_MESSAGE = "This form is out of date: open the page again and make your changes"

    def __init__(self, *args, editing: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.editing = editing
        if "revision" in self.fields:
            if editing:
                self.fields["revision"] = _revision(self.REVISION_MESSAGE)
            else:
                del self.fields["revision"]

    def _label(self, name: str) -> str:
        field = self.fields[name]
        optional = not field.required and not isinstance(field, forms.BooleanField)
        return f"{field.label} (optional)" if optional else str(field.label)

    def _common(self, name: str, **extra) -> dict:
        field = self.fields[name]
        params = {"id": name, "name": name, "label": {"text": self._label(name), "size": "s"}}
        if field.help_text:
            params["hint"] = {"text": str(field.help_text)}
        error = self.error_for(name)
        if error:
            params["errorMessage"] = {"text": error}
        params.update(extra)
        return params

    def value_of(self, name: str) -> str:
        value = self[name].value()
        if value is None:
            return ""
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        return str(value)

    def input_params(self, name: str, classes: str = "", **extra) -> dict:
        return self._common(name, value=self.value_of(name), classes=classes, **extra)

    def textarea_params(self, name: str, rows: int = 5, **extra) -> dict:
        return self._common(name, value=self.value_of(name), rows=rows, **extra)

    def select_params(self, name: str) -> dict:
        chosen = self.value_of(name)
        items = [
            {"value": str(value), "text": str(text), "selected": str(value) == chosen}
            for value, text in self.fields[name].choices
        ]
        return self._common(name, items=items)

    def radios_params(self, name: str, inline: bool = False) -> dict:
        chosen = self.value_of(name)
        params = self._common(name)
        label = params.pop("label")
        params.pop("id")
        params |= {
            "idPrefix": name,
            "fieldset": {"legend": {"text": label["text"], "size": "s"}},
            "classes": "nhsuk-radios--inline" if inline else "",
            "items": [
                {"value": str(value), "text": str(text), "checked": str(value) == chosen}
                for value, text in self.fields[name].choices
            ],
        }
        return params

    def checkbox_params(self, name: str) -> dict:
        field = self.fields[name]
        value = self[name].value()
        checked = value in (True, "on", "true", "True", "1")
        params = {
            "idPrefix": name,
            "name": name,
            "items": [{"value": "on", "text": str(field.label), "checked": checked}],
        }
        if field.help_text:
            params["items"][0]["hint"] = {"text": str(field.help_text)}
        return params

    def date_params(self, name: str, hint: str = "For example, 5 11 2015") -> dict:
        return self.date_input(name, str(self.fields[name].label), hint)


def _choices_with_none(records, none_text: str) -> list[tuple[str, str]]:
    return [("", none_text), *((str(r.pk), str(r)) for r in records)]


def _pick(records, value):
    """The record among `records` whose id is `value` (a string from the form), or None."""
    if value in (None, ""):
        return None
    return next((r for r in records if str(r.pk) == str(value)), None)


# --- Committees -------------------------------------------------------------------------------


class CommitteeForm(MeetingsForm):
    name = _text("Name", "Enter the committee's name", max_length=200)
    kind = _choice("Kind of committee", CommitteeKind.choices, "Choose the kind of committee")
    frequency = _text("How often it meets", max_length=120, help_text="For example, Monthly")
    duties = _text("Duties and terms of reference", textarea=True)
    quorum_note = _text(
        "Quorum as the terms state it",
        textarea=True,
        help_text="For example, Four members including the chair or vice chair and a lay member",
    )
    quorum_members = forms.IntegerField(
        label="Voting members who must be present",
        required=False,
        min_value=1,
        max_value=99,
        error_messages={
            "invalid": "Enter the number of voting members as a whole number, like 4",
            "min_value": "The number of voting members must be 1 or more",
            "max_value": "The number of voting members must be 99 or fewer",
        },
    )
    quorum_requires_chair = forms.BooleanField(
        label="The chair or vice chair must be present", required=False
    )
    quorum_requires_lay_member = forms.BooleanField(
        label="A lay member must be present", required=False
    )
    quorum_requires_gp = forms.BooleanField(label="A GP member must be present", required=False)
    reports_to = _choice("Reports to", [], "Choose a committee from the list", required=False)
    is_public = forms.BooleanField(
        label="Meets in public",
        required=False,
        help_text="Scrutiny members read the public part of its meetings",
    )
    is_required = forms.BooleanField(
        label="Required by statute", required=False, help_text="For example, audit, remuneration"
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("name", "kind", "frequency", "duties", "quorum_note", "quorum_members",
              "quorum_requires_chair", "quorum_requires_lay_member", "quorum_requires_gp",
              "is_public", "is_required")  # fmt: skip

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = list(committees)
        self.fields["reports_to"].choices = _choices_with_none(self.committees, "No committee")

    def field_id(self, name: str) -> str:
        return name

    def committee_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.FIELDS}
        values["reports_to"] = _pick(self.committees, self.cleaned_data["reports_to"])
        return values


class MemberForm(MeetingsForm):
    person = _choice("Person", [], "Choose a person from the list", required=False,
                     help_text="Leave empty for a vacant seat")  # fmt: skip
    title = _text(
        "Seat", max_length=200, help_text="The seat as the terms name it, e.g. Lay member (audit)"
    )
    role = _choice("Role", MemberRole.choices, "Choose the member's role")
    category = _choice("Category", MemberCategory.choices, "Choose the member's category")
    voting = forms.BooleanField(label="Votes at meetings", required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.fields["person"].choices = _choices_with_none(self.people, "Nobody (vacant seat)")

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("title") and "person" not in self.errors:
            self.add_error("person", "Choose the person, or name the seat")
        return data

    def member_values(self) -> dict:
        data = self.cleaned_data
        return {
            "person": _pick(self.people, data["person"]),
            "title": data["title"],
            "role": data["role"],
            "category": data["category"],
            "voting": data["voting"],
        }


# --- Meetings ---------------------------------------------------------------------------------


class MeetingForm(MeetingsForm):
    date = NhsDateField(noun="The date of the meeting", required_message="Enter the date")
    time = forms.TimeField(
        label="Time",
        required=False,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        help_text="In 24-hour time, for example 14:00",
        error_messages={"invalid": "Enter the time in 24-hour time, like 14:00"},
    )
    location = _text("Location", max_length=200, help_text="For example, Town Hall, Rotherham")
    title = _text("Title", max_length=200, help_text="For example, Supplementary agenda")
    status = _choice("Status", MeetingStatus.choices, "Choose the meeting's status")
    minutes_approved_on = NhsDateField(noun="The date the minutes were approved", required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("date", "time", "location", "title", "status", "minutes_approved_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = "Date"
        self.fields["minutes_approved_on"].label = "Minutes approved on"
        if not self.editing:
            del self.fields["minutes_approved_on"]

    def field_id(self, name: str) -> str:
        return "status" if name == "status" else super().field_id(name)

    def meeting_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.fields}


ATTENDANCE_CHOICES = [(PRESENT, "Present"), (APOLOGIES, "Apologies"),
                      (NOT_RECORDED, "Not recorded")]  # fmt: skip


class AttendanceForm(MeetingsForm):
    """One radio group per seat of the committee, and guests (one name a line)."""

    guests = _text(
        "Also in attendance",
        textarea=True,
        help_text="People who are not members of the committee, one a line",
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[self.seat_name(member)] = _choice(
                str(member), ATTENDANCE_CHOICES, f"Choose whether {member} was present",
                required=False,
            )  # fmt: skip

    @staticmethod
    def seat_name(member) -> str:
        return f"member-{member.pk}"

    def field_id(self, name: str) -> str:
        return name

    def seats(self) -> list[dict]:
        rows = []
        for member in self.members:
            name = self.seat_name(member)
            params = self.radios_params(name, inline=True)
            hint = f"{member.get_role_display()}, {member.get_category_display().lower()}"
            if member.person_id and member.title:
                hint = f"{member.title}: {hint}"
            params["hint"] = {"text": hint + ("" if member.voting else ", not voting")}
            params["fieldset"]["legend"]["text"] = str(member)
            rows.append(params)
        return rows

    def attendance_values(self) -> dict:
        members = {m.pk: self.cleaned_data.get(self.seat_name(m)) or "" for m in self.members}
        guests = self.cleaned_data.get("guests", "").splitlines()
        return {"members": members, "guests": [g for g in guests if g.strip()]}


# --- Agenda items -----------------------------------------------------------------------------


class AgendaItemForm(MeetingsForm):
    number = _text("Number", max_length=12, help_text="For example, 7 or 7a. Leave empty for "
                   "the next number")  # fmt: skip
    title = _text("Title", "Enter the item's title", max_length=300)
    presenters = _text("Presented by", max_length=300)
    purpose = _choice("Purpose", Purpose.choices, "Choose the item's purpose")
    part = _choice(
        "Part of the meeting",
        Part.choices,
        "Choose the part of the meeting",
        help_text="Items in the private part are hidden from scrutiny members",
    )
    plan = _choice("Linked plan", [], "Choose a plan from the list", required=False)
    paper_to = _text("Report to", max_length=200, help_text="For example, Governing Body")
    paper_date = NhsDateField(noun="The report's date", required=False)
    paper_from = _text("Report from", max_length=200)
    paper_subject = _text("Subject", max_length=300)
    paper_purpose = _text("Purpose of the report", textarea=True)
    paper_key_issues = _text("Key issues", textarea=True)
    paper_recommendations = _text("Recommendations", textarea=True)
    paper_author = _text("Author", max_length=200)
    paper_contact = _text("Contact", max_length=200, help_text="A telephone number or email")
    attachment = forms.FileField(
        label="The paper",
        required=False,
        help_text="A PDF, Word, Excel, PowerPoint or text file of up to 20 MB",
        error_messages={"empty": "The chosen file is empty", "invalid": "Choose a file"},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("number", "title", "presenters", "purpose", "part", "paper_to", "paper_date",
              "paper_from", "paper_subject", "paper_purpose", "paper_key_issues",
              "paper_recommendations", "paper_author", "paper_contact")  # fmt: skip

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = list(plans)
        self.fields["plan"].choices = [
            ("", "No plan"),
            *((str(p.pk), f"{p.title} ({p.period_label})") for p in self.plans),
        ]
        self.fields["paper_date"].label = "Date of the report"
        if self.editing:
            self.fields["number"].help_text = "For example, 7 or 7a"
            self.fields["number"].required = True
            self.fields["number"].error_messages["required"] = "Enter the item's number"

    def field_id(self, name: str) -> str:
        if name in ("purpose", "part"):
            return name
        return super().field_id(name)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if not upload.name.lower().endswith(PAPER_TYPES):
            raise forms.ValidationError(
                "The paper must be a PDF, Word, Excel, PowerPoint, OpenDocument or text file"
            )
        if upload.size > MAX_PAPER_BYTES:
            raise forms.ValidationError("The paper must be 20 MB or smaller")
        return upload

    def item_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.FIELDS}
        values["plan"] = _pick(self.plans, self.cleaned_data["plan"])
        if self.cleaned_data.get("attachment"):
            values["attachment"] = self.cleaned_data["attachment"]
        return values


class MinutesForm(MeetingsForm):
    minutes = _text("Minutes", help_text="What was discussed. You can use Markdown: **bold**, "
                    "lists starting with -, and a blank line between paragraphs",
                    textarea=True)  # fmt: skip
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ResolutionForm(MeetingsForm):
    text = _text(
        "Resolved",
        "Enter what was resolved",
        textarea=True,
        help_text="For example, That the proposed priorities for the refresh plan be noted",
    )


# --- Actions ----------------------------------------------------------------------------------


class ActionForm(MeetingsForm):
    text = _text("Action", "Enter the action", textarea=True)
    owner = _text("Owner", max_length=200, help_text="Who will do it")
    due_on = NhsDateField(noun="The due date", required=False)
    item = _choice("Agenda item", [], "Choose an item from the list", required=False)
    status = _choice("Status", ActionStatus.choices, "Choose the action's status")
    closed_on = NhsDateField(noun="The date it was closed", required=False)
    note = _text("Note", textarea=True, help_text="Progress, or why it was dropped")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["item"].choices = _choices_with_none(self.items, "Not tied to an item")
        self.fields["due_on"].label = "Due on"
        self.fields["closed_on"].label = "Closed on"
        self.fields["closed_on"].help_text = "Leave empty for today"
        if not self.editing:
            del self.fields["status"]
            del self.fields["closed_on"]

    def field_id(self, name: str) -> str:
        return "status" if name == "status" else super().field_id(name)

    def action_values(self) -> dict:
        data = self.cleaned_data
        values = {"text": data["text"], "owner": data["owner"], "due_on": data["due_on"],
                  "item": _pick(self.items, data["item"]), "note": data["note"]}  # fmt: skip
        if self.editing:
            values["status"] = data["status"]
            values["closed_on"] = data["closed_on"]
        return values


class ActionLogFilterForm(MeetingsForm):
    """The action log's GET form: every filter optional; a value not offered is reported and
    that filter left out."""

    committee = _choice("Committee", [], "Choose a committee from the list", required=False)
    status = _choice(
        "Status", [("", "Any"), *ActionStatus.choices], "Choose a status", required=False
    )
    overdue = forms.BooleanField(label="Overdue actions only", required=False)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = list(committees)
        self.fields["committee"].choices = [("", "Any"), *((str(c.pk), c.name)
                                                           for c in self.committees)]  # fmt: skip

    def field_id(self, name: str) -> str:
        return name

    def filters(self) -> dict:
        if not self.is_bound:
            return {"committee": None, "status": "", "overdue": False}
        self.is_valid()
        data = self.cleaned_data
        return {
            "committee": _pick(self.committees, data.get("committee")),
            "status": data.get("status") or "",
            "overdue": bool(data.get("overdue")),
        }
