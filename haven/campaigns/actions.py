"""Domain actions on information campaigns. Each checks the actor's grant and scope, locks
the campaign, checks the version the form showed, changes it in one transaction with its
audit row, and refuses bad input with a translated message, changing nothing.

The status workflow is the table `TRANSITIONS`; `start_problems` and `end_problems` are
its rules. Audit rows name the campaign by its number and list field names only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.campaigns import storage
from haven.campaigns.access import campaigns_for
from haven.campaigns.models import (
    Campaign,
    Channel,
    Dissemination,
    Indicator,
    IndicatorKind,
    Literacy,
    Material,
    Medium,
    Message,
    Objective,
    Status,
    language_choices,
)
from haven.campaigns.steps import end_problems, start_problems
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.places import is_region

if TYPE_CHECKING:
    from haven.accounts.models import User

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_VALUE = Decimal("9999999999.99")

# Which status may follow which; the rules of each move are in haven.campaigns.steps.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.RUNNING}),
    Status.RUNNING: frozenset({Status.ENDED}),
    Status.ENDED: frozenset(),
}


def not_allowed_message() -> str:
    return _("Your role does not allow changing this campaign.")


def ended_message() -> str:
    return _("This campaign has ended: only its monitoring and evaluation can still change.")


# --- Checks on input ------------------------------------------------------------------


def _text(value: str, *, required: str = "", most: int = MAX_TEXT) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise RefusedError(required)
    if len(cleaned) > most:
        raise RefusedError(_("A text is too long: at most %(most)d characters.") % {"most": most})
    return cleaned


def _title(title: str) -> str:
    return _text(title, required=_("Give the campaign a title."), most=MAX_TITLE)


def _dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end <= start:
        raise RefusedError(_("The end date must be after the start date."))


def _regions(country: str, regions: Sequence[str]) -> list[str]:
    unknown = [code for code in regions if not is_region(country, code)]
    if unknown:
        raise RefusedError(_("Choose regions of the campaign's country from the list."))
    return list(dict.fromkeys(regions))


def _language(language: str) -> str:
    if language not in dict(language_choices()):
        raise RefusedError(_("Choose one of the languages offered."))
    return language


def _value(value: Decimal | None) -> Decimal:
    if value is None:
        raise RefusedError(_("Give a number."))
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise RefusedError(_("Give a number of reasonable size."))
    return value


# --- The locked campaign and its audit row --------------------------------------------


def _locked(
    actor: User, campaign: Campaign, expected_version: int, *, after_end: bool = False
) -> Campaign:
    """The campaign, locked, if the actor may change it and nobody saved it meanwhile."""
    if not can(actor, Capability.CAMPAIGN_EDIT):
        raise RefusedError(not_allowed_message())
    current = campaigns_for(actor).select_for_update().filter(pk=campaign.pk).first()
    if current is None:
        raise RefusedError(not_allowed_message())
    if current.version != expected_version:
        raise ConcurrentEditError
    if current.status == Status.ENDED and not after_end:
        raise RefusedError(ended_message())
    return current


def _saved(actor: User, current: Campaign, fields: Iterable[str], action: str) -> Campaign:
    current.version += 1
    current.save()
    record(
        actor=actor,
        action=action,
        object_type="campaign",
        object_ref=str(current.pk),
        changed_fields=list(fields),
    )
    return current


# --- The campaign and its steps -------------------------------------------------------


def create_campaign(
    actor: User,
    *,
    title: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    success: str = "",
) -> Campaign:
    """A new campaign in draft, in the actor's organisation."""
    if not can(actor, Capability.CAMPAIGN_EDIT):
        raise RefusedError(not_allowed_message())
    cleaned = _title(title)
    _dates(start_date, end_date)
    what_success_is = _text(success)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organisation_id=actor.organisation_id,
            title=cleaned,
            start_date=start_date,
            end_date=end_date,
            success=what_success_is,
            created_by=actor,
        )
        record(
            actor=actor,
            action=Action.CAMPAIGN_CREATE,
            object_type="campaign",
            object_ref=str(campaign.pk),
            changed_fields=["title", "start_date", "end_date", "success"],
        )
    return campaign


def edit_basics(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    title: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    success: str,
) -> Campaign:
    """Title, dates and what success looks like. A running campaign keeps a start and an
    end: it needs both to run."""
    cleaned = _title(title)
    _dates(start_date, end_date)
    what_success_is = _text(success)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        if current.status == Status.RUNNING and not (start_date and end_date):
            raise RefusedError(_("A running campaign needs its start and end dates."))
        if current.status == Status.RUNNING and not what_success_is:
            raise RefusedError(_("A running campaign needs its definition of success."))
        current.title, current.start_date, current.end_date = cleaned, start_date, end_date
        current.success = what_success_is
        return _saved(
            actor, current, ["title", "start_date", "end_date", "success"], Action.CAMPAIGN_UPDATE
        )


def save_getting_started(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    situation: str,
    partners: str,
    budget: str,
    risks: str,
    harm_to_people_shown: str,
) -> Campaign:
    """Step 1: the situation research found, partners, budget, risks, and the risk to the
    people shown with how it is avoided (required before the campaign may run)."""
    values = {
        "situation": _text(situation),
        "partners": _text(partners),
        "budget": _text(budget),
        "risks": _text(risks),
        "harm_to_people_shown": _text(harm_to_people_shown),
    }
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        if current.status == Status.RUNNING and not values["harm_to_people_shown"]:
            raise RefusedError(
                _("A running campaign keeps its assessment of the risk to the people shown.")
            )
        for name, value in values.items():
            setattr(current, name, value)
        return _saved(actor, current, values, Action.CAMPAIGN_UPDATE)


def add_objective(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    change: str,
    for_whom: str,
    by_when: dt.date,
) -> Objective:
    """Step 2: one objective, saying what changes, for whom, by when."""
    what = _text(change, required=_("Say what changes."), most=1000)
    who = _text(for_whom, required=_("Say for whom it changes."), most=1000)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        if current.start_date and by_when < current.start_date:
            raise RefusedError(_("An objective cannot be due before the campaign starts."))
        objective = Objective.objects.create(
            campaign=current, change=what, for_whom=who, by_when=by_when
        )
        _saved(actor, current, ["objectives"], Action.CAMPAIGN_UPDATE)
    return objective


def remove_objective(
    actor: User, campaign: Campaign, objective_pk: int, *, expected_version: int
) -> None:
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        objective = current.objectives.filter(pk=objective_pk).first()
        if objective is None:
            raise RefusedError(_("That objective is not part of this campaign."))
        if current.status == Status.RUNNING and current.objectives.count() == 1:
            raise RefusedError(_("A running campaign keeps at least one objective."))
        objective.delete()
        _saved(actor, current, ["objectives"], Action.CAMPAIGN_UPDATE)


def save_audience(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    audience: str,
    country: str,
    regions: Sequence[str],
    languages: Sequence[str],
    other_languages: str,
    literacy: str,
    media: Sequence[str],
) -> Campaign:
    """Step 3: who the campaign is for, where (regions of one country), which languages
    they speak, how well they read, and the media they use."""
    who = _text(audience)
    country = country.upper()
    chosen_regions = _regions(country, regions)
    for language in languages:
        _language(language)
    others = _text(other_languages, most=200)
    if "other" in languages and not others:
        raise RefusedError(_("Name the other languages."))
    if literacy and literacy not in Literacy.values:
        raise RefusedError(_("Choose how well the audience reads from the list."))
    if any(medium not in Medium.values for medium in media):
        raise RefusedError(_("Choose the media from the list."))
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        if current.status == Status.RUNNING and not chosen_regions:
            raise RefusedError(_("A running campaign keeps at least one region."))
        current.audience, current.country, current.regions = who, country, chosen_regions
        current.languages = list(dict.fromkeys(languages))
        current.other_languages, current.literacy = others, literacy
        current.media = list(dict.fromkeys(media))
        fields = ["audience", "country", "regions", "languages", "other_languages"]
        return _saved(actor, current, [*fields, "literacy", "media"], Action.CAMPAIGN_UPDATE)


def add_message(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    language: str,
    text: str,
    pretest: str,
) -> Message:
    """Step 4: a message draft in one language, with what its pre-test found."""
    chosen = _language(language)
    words = _text(text, required=_("Write the message."), most=2000)
    tested = _text(pretest)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        message = Message.objects.create(
            campaign=current, language=chosen, text=words, pretest=tested
        )
        _saved(actor, current, ["messages"], Action.CAMPAIGN_UPDATE)
    return message


def approve_message(
    actor: User, campaign: Campaign, message_pk: int, *, expected_version: int
) -> Message:
    """Step 4: the actor approves a message for dissemination; recorded with when."""
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        message = current.messages.filter(pk=message_pk).first()
        if message is None:
            raise RefusedError(_("That message is not part of this campaign."))
        if message.is_approved:
            raise RefusedError(_("This message is already approved."))
        if not message.pretest:
            raise RefusedError(_("Record the pre-test results before approving the message."))
        message.approved_by, message.approved_at = actor, timezone.now()
        message.save()
        _saved(actor, current, ["messages.approved"], Action.CAMPAIGN_UPDATE)
    return message


def add_dissemination(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    message_pk: int,
    channel: str,
    starts_on: dt.date,
    ends_on: dt.date,
    regions: Sequence[str],
    material_pk: int | None,
    quantity: int | None,
) -> Dissemination:
    """Step 5: an approved message goes out through a channel, over dates and regions,
    with a material and how many. A message not yet approved may not go out."""
    if channel not in Channel.values:
        raise RefusedError(_("Choose a channel from the list."))
    if ends_on < starts_on:
        raise RefusedError(_("The last day cannot be before the first."))
    if quantity is not None and not 0 < quantity <= 10_000_000:
        raise RefusedError(_("Give a quantity between 1 and 10,000,000."))
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        message = current.messages.filter(pk=message_pk).first()
        if message is None:
            raise RefusedError(_("That message is not part of this campaign."))
        if not message.is_approved:
            raise RefusedError(_("A message may not be disseminated before it is approved."))
        chosen_regions = _regions(current.country, regions)
        if not set(chosen_regions) <= set(current.regions):
            raise RefusedError(_("Choose among the campaign's regions (step 3)."))
        material = None
        if material_pk is not None:
            material = current.materials.filter(pk=material_pk).first()
            if material is None:
                raise RefusedError(_("That material is not part of this campaign."))
        item = Dissemination.objects.create(
            campaign=current,
            message=message,
            channel=channel,
            starts_on=starts_on,
            ends_on=ends_on,
            regions=chosen_regions,
            material=material,
            quantity=quantity,
        )
        _saved(actor, current, ["disseminations"], Action.CAMPAIGN_UPDATE)
    return item


def add_indicator(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    kind: str,
    description: str,
    baseline: Decimal,
    target: Decimal,
) -> Indicator:
    """Step 6: what will show the campaign worked, where it starts, where it should go."""
    if kind not in IndicatorKind.values:
        raise RefusedError(_("Choose the kind of indicator from the list."))
    what = _text(description, required=_("Say what is measured."), most=1000)
    start, goal = _value(baseline), _value(target)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        indicator = Indicator.objects.create(
            campaign=current, kind=kind, description=what, baseline=start, target=goal
        )
        _saved(actor, current, ["indicators"], Action.CAMPAIGN_UPDATE)
    return indicator


def record_indicator_value(
    actor: User,
    campaign: Campaign,
    indicator_pk: int,
    *,
    expected_version: int,
    latest: Decimal,
    latest_on: dt.date,
) -> Indicator:
    """Step 6: the indicator's latest value and when it was measured. Also after the end:
    surveys report late."""
    value = _value(latest)
    if latest_on > timezone.localdate():
        raise RefusedError(_("A value cannot be measured in the future."))
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version, after_end=True)
        indicator = current.indicators.filter(pk=indicator_pk).first()
        if indicator is None:
            raise RefusedError(_("That indicator is not part of this campaign."))
        indicator.latest, indicator.latest_on = value, latest_on
        indicator.save()
        _saved(actor, current, ["indicators.latest"], Action.CAMPAIGN_UPDATE)
    return indicator


def save_findings(
    actor: User, campaign: Campaign, *, expected_version: int, findings: str
) -> Campaign:
    """Step 6: what the evaluation found. Also after the end."""
    text = _text(findings)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version, after_end=True)
        current.findings = text
        return _saved(actor, current, ["findings"], Action.CAMPAIGN_UPDATE)


# --- Status ---------------------------------------------------------------------------


def _move(current: Campaign, to: str) -> None:
    if to not in TRANSITIONS[current.status]:
        raise RefusedError(
            _("A campaign that is %(status)s cannot become %(to)s.")
            % {"status": current.get_status_display(), "to": Status(to).label}
        )


def start_campaign(actor: User, campaign: Campaign, *, expected_version: int) -> Campaign:
    """Draft to running: steps 1 to 4 complete, the risk to the people shown assessed, at
    least one approved message, dates, a definition of success and regions."""
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        _move(current, Status.RUNNING)
        problems = start_problems(current)
        if problems:
            raise RefusedError(
                _("The campaign cannot start yet: %(problems)s") % {"problems": " ".join(problems)}
            )
        current.status, current.started_at = Status.RUNNING, timezone.now()
        return _saved(actor, current, ["status"], Action.CAMPAIGN_STATUS)


def end_campaign(
    actor: User, campaign: Campaign, *, expected_version: int, no_values_reason: str
) -> Campaign:
    """Running to ended: every indicator has its latest value, or the reason why not is
    recorded."""
    reason = _text(no_values_reason, most=2000)
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        _move(current, Status.ENDED)
        problems = end_problems(current, reason)
        if problems:
            raise RefusedError(" ".join(problems))
        current.status, current.ended_at = Status.ENDED, timezone.now()
        current.no_values_reason = reason
        return _saved(actor, current, ["status", "no_values_reason"], Action.CAMPAIGN_STATUS)


# --- Materials ------------------------------------------------------------------------


def add_material(
    actor: User,
    campaign: Campaign,
    *,
    expected_version: int,
    title: str,
    language: str,
    public: bool,
    filename: str,
    content: bytes,
) -> Material:
    """Attach a file: PDF, PNG, JPEG, MP3 or OGG, told by its first bytes (the name must
    agree), at most `storage.MAX_BYTES`. Stored under a random token."""
    name = _text(title, required=_("Give the material a title."), most=MAX_TITLE)
    chosen = _language(language)
    if not content:
        raise RefusedError(_("The file is empty."))
    if len(content) > storage.MAX_BYTES:
        raise RefusedError(
            _("The file is too large: at most %(most)d MB.")
            % {"most": storage.MAX_BYTES // (1024 * 1024)}
        )
    kind = storage.sniff(content)
    if kind is None:
        raise RefusedError(_("Haven takes PDF, PNG, JPEG, MP3 and OGG files only."))
    if not storage.suffix_fits(filename, kind):
        raise RefusedError(
            _("The file's name does not match its content (%(kind)s).") % {"kind": kind.label}
        )
    token = storage.new_token()
    storage.store(token, content)
    try:
        with transaction.atomic():
            current = _locked(actor, campaign, expected_version)
            material = Material.objects.create(
                campaign=current,
                title=name,
                language=chosen,
                public=public,
                kind=kind,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                token=token,
                uploaded_by=actor,
            )
            _saved(actor, current, ["materials"], Action.CAMPAIGN_MATERIAL)
    except BaseException:
        storage.remove(token)
        raise
    return material


def remove_material(
    actor: User, campaign: Campaign, material_pk: int, *, expected_version: int
) -> None:
    """Remove a material and its file (the file once the removal is committed)."""
    with transaction.atomic():
        current = _locked(actor, campaign, expected_version)
        material = current.materials.filter(pk=material_pk).first()
        if material is None:
            raise RefusedError(_("That material is not part of this campaign."))
        token = material.token
        material.delete()
        _saved(actor, current, ["materials"], Action.CAMPAIGN_MATERIAL)
        transaction.on_commit(lambda: storage.remove(token))
