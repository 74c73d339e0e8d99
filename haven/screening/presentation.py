"""A screening result as a person reads it on a phone: the verdict, the route, at most five
key reasons, the flags and next steps first; the full evidence one level down, each
indicator once; all of it in the interface language and in the interview language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.cases.access import cases_for
from haven.people.access import people_for
from haven.screening import engine
from haven.screening.labels import FLAG_LABELS
from haven.screening.models import Screening
from haven.screening_engine import default_catalogue
from haven.screening_engine.explain import message
from haven.screening_engine.model import GROUPS

KIND_LABELS = {
    "smuggling": gettext_lazy("Signs of migrant smuggling"),
    "protection": gettext_lazy("Protection needs"),
    "context": gettext_lazy("Context and the person's wishes"),
}
ELEMENT_LABELS = {
    "act": gettext_lazy("Act"),
    "means": gettext_lazy("Means"),
    "purpose": gettext_lazy("Purpose"),
}


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def _group_label(group: str, language: str) -> str:
    if group in KIND_LABELS:
        return str(KIND_LABELS[group])
    return message(default_catalogue(), language, f"route_{group}")


def in_language(snapshot: dict[str, Any], language: str, *, child: bool) -> dict[str, Any]:
    """What the person may be told, in one language: route, key reasons, next steps."""
    catalogue = default_catalogue()
    data = engine.worded(snapshot, language)
    by_id = catalogue.by_id
    return {
        "language": language,
        "route": data.get("route", {}).get("text", ""),
        "reasons": [
            by_id[i].statement_in(language) for i in data.get("key_reasons", []) if i in by_id
        ],
        "steps": [step["text"] for step in data["next_steps"]],
    }


def links(user: User, screening: Screening, flags: list[str]) -> list[Link]:
    """Next steps a screener can take from here, as links, most urgent first."""
    found: list[Link] = []
    directory = reverse("directory:public")
    if "medical_urgent" in flags:
        found.append(
            Link(f"{directory}?{urlencode({'kind': 'medical'})}", _("Find medical care now"))
        )
    if "needs_safe_place" in flags:
        found.append(
            Link(
                f"{directory}?{urlencode({'kind': 'accommodation'})}",
                _("Find a safe place for tonight"),
            )
        )
    case, person = screening.case, screening.person
    if case is not None and cases_for(user, Capability.CASE_VIEW).filter(pk=case.pk).exists():
        found.append(Link(reverse("cases:detail", args=[case.reference]), _("Open the case")))
    elif person is not None:
        visible = people_for(user, Capability.PERSON_VIEW).filter(pk=person.pk).exists()
        if visible and can(user, Capability.CASE_CREATE):
            found.append(Link(reverse("cases:create", args=[person.reference]), _("Open a case")))
        if visible:
            found.append(
                Link(reverse("people:detail", args=[person.reference]), _("The person's record"))
            )
    elif screening.is_completed and can(user, Capability.SCREENING_CREATE):
        found.append(Link("#attach", _("Link this screening to a person")))
    return found


def evidence(result: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Every "yes" answer once, grouped by dimension or kind, with the elements it shows."""
    catalogue = default_catalogue()
    by_id = catalogue.by_id
    elements = {name: set(value["evidence"]) for name, value in result["elements"].items() if value}
    # A result stored before `seen` existed: its element evidence, in catalogue order.
    seen = result.get("seen") or [i for i in by_id if any(i in ids for ids in elements.values())]
    positive: dict[str, str] = {}
    for data in result["sets"].values():
        for dim, d in data.get("dimensions", {}).items():
            if data["applicable"] and d["positive"]:
                positive.setdefault(dim, d["rule"])
    groups = []
    for group in GROUPS:
        items = [
            {
                "statement": by_id[i].statement_in(language),
                "shows": [
                    ELEMENT_LABELS[e]
                    for e in ("act", "means", "purpose")
                    if i in elements.get(e, ())
                ],
            }
            for i in seen
            if i in by_id and by_id[i].group == group
        ]
        if items:
            groups.append(
                {
                    "label": _group_label(group, language),
                    "rule": positive.get(group, ""),
                    "items": items,
                }
            )
    return groups


def element_rows(result: dict[str, Any], language: str) -> list[dict[str, Any]]:
    catalogue = default_catalogue()
    rows = []
    for name in ("act", "means", "purpose"):
        value = result["elements"][name]
        rows.append(
            {
                "label": ELEMENT_LABELS[name],
                "required": value is not None,
                "met": bool(value and value["met"]),
                "routes": [
                    message(catalogue, language, f"route_{route}")
                    for route in (value or {}).get("routes", [])
                ],
            }
        )
    return rows


def context(
    user: User, screening: Screening, snapshot: dict[str, Any], language: str
) -> dict[str, Any]:
    """Everything the result page shows, from one stored or live result."""
    catalogue = default_catalogue()
    shown = engine.worded(snapshot, language)
    child = screening.child_wording
    by_id = catalogue.by_id
    interview = screening.interview_language
    flags = list(shown["flags"])
    return {
        "screening": screening,
        "result": shown,
        "route": shown.get("route", {}).get("text", ""),
        "reasons": [
            by_id[i].statement_in(language) for i in shown.get("key_reasons", []) if i in by_id
        ],
        "flags": [FLAG_LABELS[f] for f in flags],
        "links": links(user, screening, flags),
        "elements": element_rows(shown, language),
        "evidence": evidence(shown, language),
        "ilo_ec": shown.get("ilo_ec"),
        "suggested": [
            by_id[s["id"]].question(language, child=child)
            for s in shown["unexplored"]["suggested"]
            if s["id"] in by_id
        ],
        "unexplored": [
            {
                "question": by_id[u["id"]].question(language, child=child),
                "declined": u["answer"] == "declined",
            }
            for u in shown["unexplored"]["answers"]
            if u["id"] in by_id
        ],
        "for_the_person": (
            in_language(snapshot, interview, child=child) if interview != language else None
        ),
    }
