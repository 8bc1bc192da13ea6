"""Forms of the priorities pages, rendered with NHS.UK components (templates/priorities/).

They only parse input: every write goes through `priorities.services`, whose refusals are put
back on the form (`add_service_error`, `add_validation_error`). Field ids are the field names
on full pages; inline (htmx) forms prefix them with their fragment's id so that two open
forms never share an id. An edit form carries the revision it started from.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from commissioning.years import FinancialYear
from plans.forms import PageForm
from plans.forms_consultation import DATE_PARTS, NhsDateField

from .models import DuePrecision, quarter_end, quarter_of

OUT_OF_DATE = "This form is out of date: open the {noun} again from the priorities page"


def _text(
    label: str,
    *,
    required: str = "",
    max_length: int | None = None,
    help_text: str = "",
    textarea: bool = False,
) -> forms.CharField:
    field = forms.CharField(
        label=label if required else f"{label} (optional)",
        required=bool(required),
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea if textarea else None,
    )
    if required:
        field.error_messages["required"] = required
    if max_length:
        field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


class ItemForm(PageForm):
    """Add or change one item of a plan's priorities content."""

    noun = "item"
    FIELDS: tuple[str, ...] = ()

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, editing: bool = False, id_prefix: str = "", **kwargs):
        if id_prefix:
            kwargs["auto_id"] = f"{id_prefix}-%s"
        super().__init__(*args, **kwargs)
        self.id_prefix = id_prefix
        self.editing = editing
        if editing:
            revision = self.fields["revision"]
            revision.required = True
            revision.error_messages["required"] = OUT_OF_DATE.format(noun=self.noun)
            revision.error_messages["invalid"] = OUT_OF_DATE.format(noun=self.noun)

    def field_id(self, name: str) -> str:
        """The id an error summary links to: a date links to its first box in error."""
        base = self.auto_id % name
        field = self.fields.get(name)
        if isinstance(field, NhsDateField):
            return f"{base}-{field.error_part}"
        return base

    def error_list(self) -> list[dict]:
        """The NHS error summary's items, in the order the fields appear."""
        if not self.is_bound or not self.errors:
            return []
        first = next((n for n, f in self.fields.items() if not f.widget.is_hidden), "")
        items = [
            {"text": str(m), "href": f"#{self.field_id(first)}"} for m in self.non_field_errors()
        ]
        for name in self.fields:
            if self.fields[name].widget.is_hidden:
                # The hidden revision has no box: its message is about the whole form.
                items += [
                    {"text": str(m), "href": f"#{self.field_id(first)}"}
                    for m in self.errors.get(name, [])
                ]
                continue
            for message in self.errors.get(name, []):
                items.append({"text": str(message), "href": f"#{self.field_id(name)}"})
        return items

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    @classmethod
    def initial_for(cls, item) -> dict:
        return {**{name: getattr(item, name) for name in cls.FIELDS}, "revision": item.revision}


class PriorityForm(ItemForm):
    noun = "priority"
    FIELDS = ("title", "objective", "end_state", "hwb_aims")

    title = _text(
        "Title",
        required="Enter the priority's title",
        max_length=200,
        help_text="For example, Older people and people with a long term condition",
    )
    objective = _text(
        "Objective",
        textarea=True,
        help_text='For example, "Our objective is to improve mental health '
        'wellbeing across Southern Derbyshire"',
    )
    end_state = _text(
        "End state or vision",
        textarea=True,
        help_text="What it looks like when the priority is achieved",
    )
    hwb_aims = _text(
        "Health and Wellbeing strategy aims",
        textarea=True,
        help_text="The aims of the Health and Wellbeing strategy it serves",
    )


class _LocalityChoiceMixin:
    """A select of the plan's CCG's localities (given by the view, read for the user)."""

    def set_localities(self, localities, *, required: bool) -> None:
        field = self.fields["locality"]
        empty = [] if required else [("", "No particular locality")]
        if required:
            empty = [("", "Choose a locality")]
        field.choices = empty + [(str(loc.pk), loc.name) for loc in localities]
        field.required = required
        self._localities = {str(loc.pk): loc for loc in localities}

    def clean_locality(self):
        value = self.cleaned_data.get("locality") or ""
        return self._localities.get(value)


class CommitmentForm(_LocalityChoiceMixin, ItemForm):
    noun = "commitment"
    FIELDS = ("text", "lead", "locality")

    text = _text(
        "We will",
        required='Enter the commitment, starting "We will ..."',
        textarea=True,
        help_text='Starts "We will ...", for example "We will redesign community '
        'services to provide greater support in each locality"',
    )
    lead = _text("Lead", max_length=200, help_text="Who leads it, for example Head of Urgent Care")
    locality = forms.ChoiceField(
        label="Locality (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the CCG's localities"},
    )

    def __init__(self, *args, localities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_localities(localities, required=False)

    @classmethod
    def initial_for(cls, item) -> dict:
        initial = super().initial_for(item)
        initial["locality"] = str(item.locality_id) if item.locality_id else ""
        return initial


def quarter_value(year: FinancialYear, quarter: int) -> str:
    return f"{year.start_year}-{quarter}"


def quarter_label(year: FinancialYear, quarter: int) -> str:
    return f"Q{quarter} {year.label}"


def plan_quarters(plan) -> list[tuple[str, str]]:
    """Every quarter of the plan's years: ("2013-2", "Q2 2013/14")."""
    quarters = []
    year = plan.first_year
    while year <= plan.last_year:
        quarters += [(quarter_value(year, q), quarter_label(year, q)) for q in (1, 2, 3, 4)]
        year = year + 1
    return quarters


class ActionForm(ItemForm):
    """An action with a due date (three boxes) or a due quarter (a select), or neither."""

    noun = "action"

    text = _text(
        "Action",
        required="Enter the action",
        textarea=True,
        help_text="For example, Review Single Point of Access in each locality",
    )
    lead = _text("Lead", max_length=200, help_text="Who leads it")
    due_on = NhsDateField(noun="The due date", required=False)
    due_quarter = forms.ChoiceField(
        label="Or the quarter it is due (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the plan's quarters"},
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_quarter"].choices = [("", "No quarter")] + plan_quarters(plan)

    def clean(self):
        data = super().clean()
        on, quarter = data.get("due_on"), data.get("due_quarter")
        if on and quarter:
            self.add_error("due_quarter", "Give a due date or a quarter, not both")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {"text": data["text"], "lead": data["lead"]}
        if data.get("due_quarter"):
            start, quarter = data["due_quarter"].split("-")
            values["due_on"] = quarter_end(FinancialYear(int(start)), int(quarter))
            values["due_precision"] = DuePrecision.QUARTER
        else:
            values["due_on"] = data.get("due_on")
            values["due_precision"] = DuePrecision.DATE
        return values

    @classmethod
    def initial_for(cls, item) -> dict:
        initial = {"text": item.text, "lead": item.lead, "revision": item.revision}
        if item.due_on and item.due_precision == DuePrecision.QUARTER:
            initial["due_quarter"] = quarter_value(*quarter_of(item.due_on))
        elif item.due_on:
            initial["due_on"] = item.due_on
        return initial

    def date_input(self, hint: str = "") -> dict:
        """Parameters of the NHS date input macro for `due_on`."""
        value = self["due_on"].value()
        if isinstance(value, dt.date):
            values = {"day": value.day, "month": value.month, "year": value.year}
        elif isinstance(value, tuple):
            values = dict(zip(DATE_PARTS, value, strict=True))
        else:
            values = dict.fromkeys(DATE_PARTS, "")
        error = self.errors.get("due_on") if self.is_bound else None
        base = self.auto_id % "due_on"
        items = [
            {
                "id": f"{base}-{part}",
                "name": f"due_on-{part}",
                "label": part.capitalize(),
                "value": values[part],
                "classes": f"nhsuk-input--width-{width}" + (" nhsuk-input--error" if error else ""),
            }
            for part, width in (("day", 2), ("month", 2), ("year", 4))
        ]
        params = {
            "id": base,
            "fieldset": {"legend": {"text": "Due date (optional)", "size": "s"}},
            "items": items,
        }
        if hint:
            params["hint"] = {"text": hint}
        if error:
            params["errorMessage"] = {"text": error[0]}
        return params


class SuccessMeasureForm(ItemForm):
    noun = "success measure"
    FIELDS = ("measure", "priority", "baseline", "aspiration", "source")

    measure = _text(
        "Measure",
        required="Enter the measure",
        textarea=True,
        help_text="For example, Emergency admissions for ambulatory care sensitive conditions",
    )
    priority = forms.ChoiceField(
        label="Priority (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the plan's priorities"},
    )
    baseline = _text("Baseline", textarea=True, help_text="Where it stands now, and when")
    aspiration = _text("Aspiration", textarea=True, help_text="Where the plan aims to take it")
    source = _text("Source", max_length=200, help_text="Where the figures come from")

    def __init__(self, *args, priorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._priorities = {str(p.pk): p for p in priorities}
        self.fields["priority"].choices = [("", "The plan as a whole")] + [
            (str(p.pk), p.title) for p in priorities
        ]

    def clean_priority(self):
        return self._priorities.get(self.cleaned_data.get("priority") or "")

    @classmethod
    def initial_for(cls, item) -> dict:
        initial = super().initial_for(item)
        initial["priority"] = str(item.priority_id) if item.priority_id else ""
        return initial


class LocalityFocusForm(_LocalityChoiceMixin, ItemForm):
    noun = "locality focus area"
    FIELDS = ("locality", "text")

    locality = forms.ChoiceField(
        label="Locality",
        error_messages={
            "required": "Choose the locality",
            "invalid_choice": "Choose one of the CCG's localities",
        },
    )
    text = _text(
        "Focus",
        required="Enter the locality's focus",
        textarea=True,
        help_text="For example, Discharge planning",
    )

    def __init__(self, *args, localities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_localities(localities, required=True)

    @classmethod
    def initial_for(cls, item) -> dict:
        initial = super().initial_for(item)
        initial["locality"] = str(item.locality_id)
        return initial
