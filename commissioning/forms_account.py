"""The account page's form: create a named API token. Field ids are the field names, so the
NHS error summary links straight to them (`error_list()`)."""

from __future__ import annotations

from django import forms

NAME_MAX_LENGTH = 100


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": f"Name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    read_only = forms.BooleanField(label="Read-only", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        # The user's own tokens: the relation is the owner scope.
        if self.user.api_tokens.active().filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "You already have a token with this name: choose another name, or revoke "
                "the old token first"
            )
        return name

    def error_for(self, name: str) -> str | None:
        errors = self.errors.get(name) if self.is_bound else None
        return str(errors[0]) if errors else None

    def error_list(self) -> list[dict]:
        """The NHS error summary's items, in the order the fields appear."""
        if not self.is_bound or not self.errors:
            return []
        items = [{"text": str(message)} for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append({"text": str(message), "href": f"#{name}"})
        return items

    def name_params(self) -> dict:
        """Parameters of the NHS input macro for the name: what was typed is kept."""
        error = self.error_for("name")
        value = self["name"].value() if self.is_bound else ""
        params = {
            "label": {"text": "Name", "size": "s"},
            "hint": {"text": "So you can recognise it later, for example Nightly finance sync."},
            "id": "name",
            "name": "name",
            "value": value or "",
            "autocomplete": "off",
            "spellcheck": False,
            "classes": "nhsuk-u-width-two-thirds",
        }
        if error:
            params["errorMessage"] = {"text": error}
        return params

    def read_only_params(self) -> dict:
        checked = bool(self["read_only"].value()) if self.is_bound else False
        return {
            "idPrefix": "read_only",
            "name": "read_only",
            "items": [
                {
                    "value": "on",
                    "text": "Read-only",
                    "hint": {"text": "The token can read but not change anything."},
                    "checked": checked,
                }
            ],
        }
