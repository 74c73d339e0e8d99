"""The screening as an XLSForm, for ODK Collect and KoboToolbox on a phone without a
connection: the readiness checks, the profile, and every indicator question in the six
languages, the child wording shown for a child and the adult wording otherwise. The
questions, labels and choices are read from the same forms and catalogue as the web
interview, so the two cannot drift apart; the ruleset version is the form's version, and
an import refuses a submission made with another one unless told to re-assess.

The form asks every question (the web interview chooses them as it goes); Haven assesses
the answers when the submission comes in, with the engine, as for any screening.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from haven.screening.engine import TOPIC_ORDER
from haven.screening.forms import ANSWER_CHOICES, ProfileForm, ReadinessForm
from haven.screening.labels import TOPIC_LABELS
from haven.screening_engine import default_catalogue
from haven.screening_engine.catalogue import Catalogue

FORM_ID = "haven_screening"
CHILD_SUFFIX = "__child"
IS_CHILD = "is_child"
# The web forms' own version field: not a question.
LEFT_OUT = {"version"}
# Every submission carries the ruleset it was made with (the form's version is not in
# every export): the import refuses another unless told to re-assess.
RULESET_FIELD = "ruleset_version"
Row = dict[str, Any]
READINESS = _("Before the interview")
PERSON = _("The person")
PERSON_REFERENCE = "person_reference"
REFERENCE_LABEL = _("Haven reference of the person, if already recorded (never a name)")
END_NOTE = _(
    "Haven assesses these answers when the submission is imported. Nothing on this phone "
    "is a verdict: a person decides."
)


def languages() -> list[tuple[str, str]]:
    """(code, column suffix), e.g. ("km", "Khmer (km)"), English first."""
    with translation.override("en"):
        return [(code, f"{name} ({code})") for code, name in settings.LANGUAGES]


def _each(text: Any, column: str) -> Row:
    """`text` (a lazy translation) in every language, as `column::Language (xx)` cells."""
    row: Row = {}
    for code, suffix in languages():
        with translation.override(code):
            row[f"{column}::{suffix}"] = str(text)
    return row


def version(catalogue: Catalogue) -> str:
    return catalogue.ruleset.version


def _choices(list_name: str, options: list[tuple[str, Any]]) -> Iterator[Row]:
    for value, label in options:
        if value != "":
            yield {"list_name": list_name, "name": value, **_each(label, "label")}


def _field_rows(form: forms.Form, prefix: str) -> tuple[list[Row], list[Row]]:
    """The web form's fields as survey rows, and the choice lists they need."""
    survey: list[Row] = []
    choices: list[Row] = []
    for name, field in form.fields.items():
        if name in LEFT_OUT:
            continue
        row: Row = {"name": f"{prefix}{name}", **_each(field.label, "label")}
        if field.help_text:
            row |= _each(field.help_text, "hint")
        if isinstance(field, forms.BooleanField):
            row["type"] = "select_one yes_no"
            if field.required:  # a check the screener must be able to confirm
                row["constraint"] = ". = 'yes'"
                row |= _each(field.label, "constraint_message")
        elif isinstance(field, forms.ChoiceField):
            kind = "multiple" if isinstance(field, forms.MultipleChoiceField) else "one"
            row["type"] = f"select_{kind} {prefix}{name}"
            choices += _choices(f"{prefix}{name}", list(field.choices))  # type: ignore[arg-type]
        elif isinstance(field, forms.IntegerField):
            row["type"] = "integer"
            row["constraint"] = f". >= {field.min_value} and . <= {field.max_value}"
        else:
            row["type"] = "text"
        row["required"] = "yes" if field.required else ""
        survey.append(row)
    return survey, choices


def _indicator_rows(catalogue: Catalogue) -> Iterator[Row]:
    by_topic = {
        topic: [i for i in catalogue.indicators if i.topic == topic] for topic in TOPIC_ORDER
    }
    for topic, indicators in by_topic.items():
        if not indicators:
            continue
        yield {
            "type": "begin_group",
            "name": f"topic_{topic}",
            **_each(TOPIC_LABELS[topic], "label"),
        }
        for indicator in indicators:
            for child in (False, True):
                row: Row = {
                    "type": "select_one answer",
                    "name": indicator.id + (CHILD_SUFFIX if child else ""),
                    "relevant": f"${{{IS_CHILD}}} = {1 if child else 0}",
                }
                for code, suffix in languages():
                    row[f"label::{suffix}"] = indicator.question(code, child=child)
                yield row
        yield {"type": "end_group", "name": f"topic_{topic}"}


def rows(catalogue: Catalogue | None = None) -> tuple[list[Row], list[Row], list[Row]]:
    """The survey, choices and settings sheets, as rows of named cells."""
    catalogue = catalogue or default_catalogue()
    ready, ready_choices = _field_rows(ReadinessForm(), "ready_")
    profile, profile_choices = _field_rows(ProfileForm(), "")
    survey: list[Row] = [
        {"type": "begin_group", "name": "readiness", **_each(READINESS, "label")},
        *ready,
        {"type": "end_group", "name": "readiness"},
        {"type": "begin_group", "name": "profile", **_each(PERSON, "label")},
        {"type": "text", "name": PERSON_REFERENCE, **_each(REFERENCE_LABEL, "label")},
        *profile,
        {
            "type": "calculate",
            "name": IS_CHILD,
            "calculation": "if(${possibly_child} = 'yes' or "
            "(string-length(${age_at_events}) > 0 and ${age_at_events} < 18), 1, 0)",
        },
        {"type": "end_group", "name": "profile"},
        *_indicator_rows(catalogue),
        {
            "type": "calculate",
            "name": RULESET_FIELD,
            "calculation": f"'{version(catalogue)}'",
        },
        {"type": "note", "name": "end_note", **_each(END_NOTE, "label")},
    ]
    choices = [
        *_choices("yes_no", [("yes", _("Yes")), ("no", _("No"))]),
        *_choices("answer", ANSWER_CHOICES),
        *ready_choices,
        *profile_choices,
    ]
    settings_rows = [
        {
            "form_title": f"Haven screening ({version(catalogue)})",
            "form_id": FORM_ID,
            "version": version(catalogue),
            "default_language": languages()[0][1],
        }
    ]
    return survey, choices, settings_rows


def workbook(catalogue: Catalogue | None = None) -> bytes:
    """The XLSForm as an .xlsx file."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for title, sheet_rows in zip(("survey", "choices", "settings"), rows(catalogue), strict=True):
        sheet = book.create_sheet(title)
        columns = list(dict.fromkeys(key for row in sheet_rows for key in row))
        sheet.append(columns)
        for row in sheet_rows:
            sheet.append([row.get(column, "") for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
