"""The signs a community reporter may tick: the screening catalogue's indicators on the
"observable" checklist, in plain words in the user's language, grouped by area."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from haven.screening.labels import TOPIC_LABELS
from haven.screening_engine.catalogue import default_catalogue

CHECKLIST = "observable"


@dataclass(frozen=True)
class Sign:
    id: str
    words: str


def observable_ids() -> frozenset[str]:
    return frozenset(i.id for i in default_catalogue().indicators if CHECKLIST in i.checklists)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def words(indicator_id: str) -> str:
    indicator = default_catalogue().by_id.get(indicator_id)
    return indicator.statement_in(_language()) if indicator else indicator_id


def grouped() -> list[tuple[str, list[Sign]]]:
    """(area heading, signs) in the catalogue's order, areas as the interview names them."""
    language = _language()
    groups: dict[str, list[Sign]] = {}
    for indicator in default_catalogue().indicators:
        if CHECKLIST in indicator.checklists:
            groups.setdefault(indicator.topic, []).append(
                Sign(indicator.id, indicator.statement_in(language))
            )
    return [(str(TOPIC_LABELS.get(topic, topic)), signs) for topic, signs in groups.items()]
