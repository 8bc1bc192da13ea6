"""Forms of the assurance pages: a checkpoint's details, and each of its parts (a scorecard
result, a finding, an agreed action). They only read input: every write goes through
`governance.services_assurance`, whose refusals come back onto the form with
`add_service_error` (plans.forms_consultation.NhsForm: NHS error summaries and date inputs).
"""

from __future__ import annotations

from django import forms

from commissioning.fields import FinancialYearFormField
from plans.forms_consultation import NhsDateField, NhsForm

from .models import RATINGS, RatingScheme

NOT_RATED = ""
YEARS_SCHEME = ""  # 2013/14 to 2015/16: the assurance framework; 2016/17 on: the IAF
# The "met" radios: a scorecard result met its target, did not, or was not assessed.
MET_CHOICES = [("yes", "Met"), ("no", "Not met"), ("unknown", "Not assessed")]
MET_VALUES = {"yes": True, "no": False, "unknown": None}
MET_WORDS = {True: "Met", False: "Not met", None: "Not assessed"}


def met_value(met: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[met]


def rating_choices() -> list[tuple[str, str]]:
    """Every rating of every scheme, labelled with its scheme's years; the services check
    that the rating belongs to the chosen scheme."""
    choices = [(NOT_RATED, "Not rated (or not stated)")]
    for scheme in RatingScheme:
        years = scheme.label.split(":")[0]
        choices += [(rating, f"{rating} ({years})") for rating in RATINGS[scheme]]
    return choices


def _text(label: str, *, required_message: str = "", max_length: int | None = None,
          textarea: bool = False, help_text: str = "") -> forms.CharField:  # fmt: skip
    field = forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=max_length,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea if textarea else forms.TextInput,
    )
    if required_message:
        field.error_messages["required"] = required_message
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


class RevisionMixin:
    """A hidden `revision` on edit forms: the checkpoint's revision the edit started from."""

    def _revision(self, editing: bool) -> None:
        if editing:
            self.fields["revision"].required = True
            self.fields["revision"].error_messages["required"] = (
                "This form is out of date: open the checkpoint again"
            )
        else:
            del self.fields["revision"]


class CheckpointForm(RevisionMixin, NhsForm):
    """A checkpoint's details. The CCG, year and quarter are set when it is recorded."""

    year = FinancialYearFormField(
        label="Financial year",
        error_messages={"required": "Enter the financial year, for example 2013/14"},
    )
    quarter = forms.TypedChoiceField(
        label="Quarter",
        choices=[(str(q), f"Quarter {q}") for q in (1, 2, 3, 4)],
        coerce=int,
        error_messages={"required": "Choose the quarter", "invalid_choice": "Choose the quarter"},
    )
    held_on = NhsDateField(noun="The date it was held", required=False)
    assessor = _text("Assessor", max_length=200, help_text="The area team that held it")
    rating_scheme = forms.ChoiceField(
        label="Rating scheme",
        required=False,
        choices=[(YEARS_SCHEME, "The scheme of the year"), *RatingScheme.choices],
        error_messages={
            "required": "Choose the rating scheme",
            "invalid_choice": "Choose the rating scheme",
        },
    )
    rating = forms.ChoiceField(
        label="Rating",
        required=False,
        choices=rating_choices,
        error_messages={"invalid_choice": "Choose a rating from the list"},
    )
    letter_date = NhsDateField(noun="The date of the letter", required=False)
    summary = _text("Summary", textarea=True)
    source_note = _text("Source", max_length=200, help_text="For example, the letter it records")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("held_on", "assessor", "rating_scheme", "rating", "summary", "letter_date",
              "source_note")  # fmt: skip

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self._revision(editing)
        if editing:
            del self.fields["year"]
            del self.fields["quarter"]
            scheme = self.fields["rating_scheme"]
            scheme.required = True
            scheme.choices = RatingScheme.choices

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in self.FIELDS}
        values["rating_scheme"] = values["rating_scheme"] or None
        if not self.editing:
            values |= {"year": data["year"], "quarter": data["quarter"]}
        return values


class ScorecardForm(NhsForm):
    metric = _text("Metric", required_message="Enter the metric", max_length=200)
    target = _text("Target", max_length=100, help_text="For example, 95%")
    result = _text("Result", max_length=200)
    met = forms.ChoiceField(
        label="Was the target met?",
        choices=MET_CHOICES,
        error_messages={
            "required": "Choose whether the target was met",
            "invalid_choice": "Choose whether the target was met",
        },
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {"metric": data["metric"], "target": data["target"], "result": data["result"],
                "met": MET_VALUES[data["met"]]}  # fmt: skip


class FindingForm(NhsForm):
    area = _text("Area", required_message="Enter the area", max_length=200,
                 help_text="For example, A&E – 4 Hour Target")  # fmt: skip
    text = _text("Finding", required_message="Enter the finding", textarea=True)

    def values(self) -> dict:
        return {"area": self.cleaned_data["area"], "text": self.cleaned_data["text"]}


class ActionForm(NhsForm):
    text = _text("Action", required_message="Enter the action", textarea=True)
    owner = _text("Owner", max_length=200)
    due_on = NhsDateField(noun="The due date", required=False)
    done_on = NhsDateField(noun="The date it was done", required=False)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("text", "owner", "due_on", "done_on")}


PART_FORMS = {"scorecard": ScorecardForm, "findings": FindingForm, "actions": ActionForm}


def part_initial(name: str, part) -> dict:
    """A part's values as its form starts them."""
    if name == "scorecard":
        return {"metric": part.metric, "target": part.target, "result": part.result,
                "met": met_value(part.met)}  # fmt: skip
    if name == "findings":
        return {"area": part.area, "text": part.text}
    return {"text": part.text, "owner": part.owner, "due_on": part.due_on,
            "done_on": part.done_on}  # fmt: skip
