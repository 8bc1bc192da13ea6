"""The audit log's filter form (a GET form): every filter optional; a value not offered, or a
date that is not a real one, is reported in the error summary and that filter left out."""

from __future__ import annotations

from django import forms

from plans.forms_consultation import NhsDateField

from . import audit
from .forms_meetings import MeetingsForm

CHANGE_CHOICES = [("", "Any"), ("created", "Created"), ("changed", "Changed"),
                  ("deleted", "Deleted")]  # fmt: skip


def _choice(label: str, message: str) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, required=False, choices=[])
    field.error_messages["invalid_choice"] = message
    return field


class AuditFilterForm(MeetingsForm):
    since = NhsDateField(noun="The 'from' date", required=False)
    until = NhsDateField(noun="The 'to' date", required=False)
    kind = _choice("Kind of record", "Choose a kind of record from the list")
    user = _choice("Changed by", "Choose a person from the list")
    change = _choice("Change", "Choose created, changed or deleted")

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in users}
        self.fields["kind"].choices = [("", "Any"), *audit.KIND_CHOICES]
        self.fields["user"].choices = [
            ("", "Anyone"),
            *((pk, u.get_full_name() or u.get_username()) for pk, u in self.users.items()),
            (audit.SYSTEM, "The system (imports and commands)"),
        ]
        self.fields["change"].choices = CHANGE_CHOICES

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date")
        return data

    def filters(self, ccg) -> audit.AuditFilters:
        data = {}
        if self.is_bound:
            self.is_valid()  # a field in error is left out of cleaned_data
            data = self.cleaned_data
        user = data.get("user") or ""
        return audit.AuditFilters(
            ccg_ids=frozenset({ccg.pk}),
            since=data.get("since"),
            until=data.get("until"),
            kinds=(data["kind"],) if data.get("kind") else (),
            user_id=int(user) if user.isdigit() else None,
            system=user == audit.SYSTEM,
            change=data.get("change") or "",
        )

    def date_params(self, name: str, hint: str = "For example, 5 11 2015") -> dict:
        label = "Changed on or after" if name == "since" else "Changed on or before"
        return self.date_input(name, label, hint)
