"""What translators and admins do to Haven's texts. Every rule is here, not in the pages.

A translator reviews and proposes only in the languages on their account; an admin
accepts or rejects a proposal made by someone else. Nothing is changed when a rule
refuses, and a change made against a wording that has since changed is refused (no lost
updates). Texts hold no personal data, so proposals are stored as written.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import polib
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.core import burmese
from haven.core.errors import RefusedError
from haven.directory.models import DirectoryService
from haven.translations import live, sources
from haven.translations.models import Override, Part, Proposal, ProposalStatus, Review, ReviewState

MAX_TEXT = 4000
MAX_FILE_BYTES = 4 * 1024 * 1024
# %(name)s, %s, %d and {name}: what gettext and the engine fill in.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def may_read(actor: User, language: str) -> bool:
    if language not in dict(sources.languages()):
        return False
    if can(actor, Capability.TRANSLATION_ACCEPT):
        return True
    return can(actor, Capability.TRANSLATION_REVIEW) and language in actor.translation_languages


def readable_languages(actor: User) -> list[tuple[str, str]]:
    return [(code, name) for code, name in sources.languages() if may_read(actor, code)]


def _translator(actor: User, language: str) -> None:
    if not can(actor, Capability.TRANSLATION_REVIEW) or language not in actor.translation_languages:
        raise PermissionDenied


def _entry(language: str, part: str, key: str) -> sources.Entry:
    if part not in Part.values:
        raise RefusedError(_("This text no longer exists."))
    entry = sources.find(language, part, key)
    if entry is None:
        raise RefusedError(_("This text no longer exists."))
    return entry


def _unchanged_since(language: str, entry: sources.Entry, seen: str) -> str:
    text = live.wording(language, entry)
    if sources.digest(text) != seen:
        raise RefusedError(
            _("The wording changed while you were reading it. Nothing was saved: read it again.")
        )
    return text


def _audit(actor: User, action: Action, language: str, part: str, key: str) -> None:
    record(
        actor=actor,
        action=action,
        object_type="translation",
        object_ref=f"{language}/{part}/{key}"[:64],
    )


def review(
    actor: User, language: str, part: str, key: str, *, state: str, note: str, seen: str
) -> Review:
    """Mark the wording in use reviewed, or say that it needs change (with a note)."""
    _translator(actor, language)
    entry = _entry(language, part, key)
    if state not in (ReviewState.REVIEWED, ReviewState.NEEDS_CHANGE):
        raise RefusedError(_("Choose reviewed or needs change."))
    note = note.strip()
    if state == ReviewState.NEEDS_CHANGE and not note:
        raise RefusedError(_("Say what needs to change, so that the next translator knows."))
    if len(note) > MAX_TEXT:
        raise RefusedError(_("The note is too long."))
    with transaction.atomic():
        text = _unchanged_since(language, entry, seen)
        if not text:
            raise RefusedError(_("There is no translation to review yet: propose one."))
        found, _created = Review.objects.select_for_update().update_or_create(
            language=language,
            part=part,
            key=key,
            defaults={
                "text_digest": sources.digest(text),
                "state": state,
                "note": note,
                "by": actor,
                "at": timezone.now(),
            },
        )
        _audit(actor, Action.TRANSLATION_REVIEW, language, part, key)
    live.changed()
    return found


def _checked_text(language: str, entry: sources.Entry, text: str) -> str:
    text = unicodedata.normalize("NFC", text.strip())
    if not text:
        raise RefusedError(_("Write the wording you propose."))
    if len(text) > MAX_TEXT:
        raise RefusedError(_("The wording is too long."))
    wanted = sorted(PLACEHOLDER.findall(entry.source.split(" / ")[0]))
    if sorted(PLACEHOLDER.findall(text)) != wanted:
        raise RefusedError(
            _("Keep exactly the placeholders of the English: %(names)s")
            % {"names": " ".join(wanted) or "—"}
        )
    if language == "my" and burmese.looks_like_zawgyi(text):
        raise RefusedError(
            _("This looks like Zawgyi, not Unicode Burmese. Convert it to Unicode first.")
        )
    return text


def propose(
    actor: User, language: str, part: str, key: str, *, text: str, note: str, seen: str
) -> Proposal:
    """Propose a better wording; an admin decides."""
    _translator(actor, language)
    entry = _entry(language, part, key)
    text = _checked_text(language, entry, text)
    with transaction.atomic():
        current = _unchanged_since(language, entry, seen)
        if text == current:
            raise RefusedError(_("That is the wording already in use."))
        proposal = _proposal(
            actor, language, entry, text=text, note=note.strip()[:MAX_TEXT], current=current
        )
    return proposal


def _proposal(
    actor: User, language: str, entry: sources.Entry, *, text: str, note: str, current: str
) -> Proposal:
    proposal = Proposal.objects.create(
        language=language,
        part=entry.part,
        key=entry.key,
        text=text,
        note=note,
        base_digest=sources.digest(current),
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    _audit(actor, Action.TRANSLATION_PROPOSE, language, entry.part, entry.key)
    return proposal


def decide(actor: User, proposal: Proposal, *, accept: bool, note: str = "") -> Proposal:
    """Accept (the wording is used from now on, and counts as reviewed by its author) or
    reject a proposal. Never one's own, never twice, never over a wording changed since."""
    if not can(actor, Capability.TRANSLATION_ACCEPT):
        raise PermissionDenied
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.OPEN:
            raise RefusedError(_("Someone already decided on this proposal."))
        if locked.proposed_by_id == actor.pk:
            raise RefusedError(_("Someone other than its author decides on a proposal."))
        now = timezone.now()
        if accept:
            entry = _entry(locked.language, locked.part, locked.key)
            if sources.digest(live.wording(locked.language, entry)) != locked.base_digest:
                raise RefusedError(
                    _(
                        "The wording changed after this proposal was made: ask the "
                        "translator to look at it again."
                    )
                )
            _use(locked, entry, now)
        locked.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_note = note.strip()[:MAX_TEXT]
        locked.save()
        _audit(actor, Action.TRANSLATION_DECIDE, locked.language, locked.part, locked.key)
    live.changed()
    return locked


def _use(proposal: Proposal, entry: sources.Entry, now: datetime) -> None:
    if proposal.part == Part.DIRECTORY:
        service = DirectoryService.objects.select_for_update().get(pk=int(proposal.key))
        service.descriptions = {**service.descriptions, proposal.language: proposal.text}
        service.save(update_fields=["descriptions"])
    else:
        Override.objects.update_or_create(
            language=proposal.language,
            part=proposal.part,
            key=proposal.key,
            defaults={
                "text": proposal.text,
                "source_digest": sources.digest(entry.source),
                "proposal": proposal,
                "at": now,
            },
        )
    Review.objects.update_or_create(
        language=proposal.language,
        part=proposal.part,
        key=proposal.key,
        defaults={
            "text_digest": sources.digest(proposal.text),
            "state": ReviewState.REVIEWED,
            "note": "",
            "by_id": proposal.proposed_by_id,
            "at": now,
        },
    )


# --- Offline work: a language as a file, and back as proposals ---------------------------


def export_interface(language: str) -> bytes:
    """The interface catalogue as a PO file, with the wordings in use."""
    po = polib.pofile(str(sources.catalogue_path(language)))
    for item in po:
        entry = sources.find(
            language, Part.INTERFACE, sources.interface_key(item.msgctxt or "", item.msgid)
        )
        if entry is None:
            continue
        text = live.wording(language, entry)
        if item.msgid_plural:
            item.msgstr_plural = {**item.msgstr_plural, 0: text}
        else:
            item.msgstr = text
    return str(po).encode("utf-8")


def export_questions(language: str) -> bytes:
    """The questions and statements in the catalogue's own file format
    (questions/<language>.toml), with the wordings in use."""
    questions = sources.entries(language, Part.QUESTION)
    statements = {e.key: e for e in sources.entries(language, Part.STATEMENT)}
    lines = [f"# Haven screening catalogue, {language}: questions and statements in use."]
    for entry in statements.values():
        lines += ["", f"[{entry.key}]", f"statement = {_toml(live.wording(language, entry))}"]
        for form in ("adult", "child"):
            question = next(q for q in questions if q.key == f"{entry.key}:{form}")
            lines.append(f"{form} = {_toml(live.wording(language, question))}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _toml(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


@dataclass(frozen=True)
class Imported:
    proposed: int
    unchanged: int


def import_file(actor: User, language: str, kind: str, data: bytes) -> Imported:
    """A translator's offline file back in: each changed wording becomes a proposal. The
    whole file or nothing: one bad entry refuses it, naming every bad entry."""
    _translator(actor, language)
    if len(data) > MAX_FILE_BYTES:
        raise RefusedError(_("The file is too large."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedError(_("The file is not UTF-8 text.")) from None
    pairs = _po_pairs(language, text) if kind == "po" else _toml_pairs(language, text)
    problems: list[str] = []
    changed: list[tuple[sources.Entry, str, str]] = []
    unchanged = 0
    for where, entry, proposed in pairs:
        if entry is None:
            problems.append(_("%(where)s: no such text") % {"where": where})
            continue
        if not proposed.strip():
            unchanged += 1
            continue
        current = live.wording(language, entry)
        try:
            checked = _checked_text(language, entry, proposed)
        except RefusedError as error:
            problems.append(f"{where}: {error.message}")
            continue
        if checked == current:
            unchanged += 1
        else:
            changed.append((entry, checked, current))
    if problems:
        shown = "; ".join(problems[:20])
        more = len(problems) - 20
        if more > 0:
            shown += " " + _("(and %(count)d more)") % {"count": more}
        raise RefusedError(_("Nothing was imported. %(problems)s") % {"problems": shown})
    with transaction.atomic():
        for entry, checked, current in changed:
            _proposal(
                actor,
                language,
                entry,
                text=checked,
                note=_("From an offline file."),
                current=current,
            )
    return Imported(proposed=len(changed), unchanged=unchanged)


def _po_pairs(language: str, text: str) -> list[tuple[str, sources.Entry | None, str]]:
    try:
        po = polib.pofile(text)
    except (OSError, ValueError):
        raise RefusedError(_("This is not a PO file.")) from None
    pairs = []
    for item in po:
        if item.obsolete:
            continue
        key = sources.interface_key(item.msgctxt or "", item.msgid)
        proposed = item.msgstr_plural.get(0, "") if item.msgid_plural else item.msgstr
        pairs.append((item.msgid[:60], sources.find(language, Part.INTERFACE, key), proposed))
    return pairs


def _toml_pairs(language: str, text: str) -> list[tuple[str, sources.Entry | None, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise RefusedError(_("This is not a catalogue questions file.")) from None
    pairs: list[tuple[str, sources.Entry | None, str]] = []
    for ident, row in data.items():
        if ident == "draft":
            continue
        if not isinstance(row, dict):
            pairs.append((ident, None, ""))
            continue
        for field, value in row.items():
            part, key = (
                (Part.STATEMENT, ident)
                if field == "statement"
                else (Part.QUESTION, f"{ident}:{field}")
            )
            entry = sources.find(language, part, key) if isinstance(value, str) else None
            pairs.append((f"{ident}.{field}", entry, value if isinstance(value, str) else ""))
    return pairs
