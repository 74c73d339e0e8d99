"""Applying each organisation's retention policy (`haven retention apply`, from cron).

A case is due when its organisation has a policy, it has been closed for at least the
policy's number of years, and no legal hold is active on it. Due cases are anonymised or
deleted as the policy says; their person goes with them once no other case of theirs is
kept (open, not yet due, under a hold, or in another organisation).

All-or-nothing per person: a person's due cases and the person are changed (and audited)
in one transaction, committed before the next person, so a failure or a crash leaves that
person exactly as before and what was done for earlier people stands; the run goes on
with the next person and the report names who failed. Not per run: one person's
unexpected protection must not stop every other person's data from being removed.

A dry run goes the same way inside one transaction that is rolled back at the end: it
reports what a real run would do and changes nothing (not even the audit trail).

Anonymising keeps the rows and every coded fact (status, dates, types, countries, gender,
age band, screening flags), so the statistics (haven.stats.facts) still count the person
and the case; it empties every encrypted field (identity and free text) and removes the
name index, so nobody can find the person by name again. Deleting removes the rows; the
statistics stop counting them at the next refresh. Either way the audit trail keeps its
entries, which hold references and field names only, never values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Exists, Model, OuterRef, ProtectedError, QuerySet, RestrictedError
from django.utils import timezone

from haven.accounts.models import Organisation
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.models import CLOSED_STATUSES, Case, Intake
from haven.core.fields import EncryptedJSONField, EncryptedTextField
from haven.people.models import IDENTITY_FIELDS, Person, PersonIndex
from haven.referrals.models import Consent, OverrideRequest, Referral, ReferralMessage
from haven.rights import holdings
from haven.rights.models import (
    AnonymisedCase,
    AnonymisedPerson,
    LegalHold,
    RetentionOutcome,
    RetentionPolicy,
)
from haven.screening.models import Screening


@dataclass
class Report:
    organisation: str
    outcome: str
    due: int = 0
    held: int = 0
    anonymised_cases: list[str] = field(default_factory=list)
    deleted_cases: list[str] = field(default_factory=list)
    anonymised_people: list[str] = field(default_factory=list)
    deleted_people: list[str] = field(default_factory=list)
    failed_people: list[str] = field(default_factory=list)


def cutoff(today: dt.date, years: int) -> dt.date:
    """The latest closing date of a case that has been closed for `years` years."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def _active_hold() -> Exists:
    return Exists(LegalHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True))


def closed_long_enough(policy: RetentionPolicy, today: dt.date) -> QuerySet[Case]:
    cases = Case.objects.filter(
        organisation_id=policy.organisation_id,
        status__in=CLOSED_STATUSES,
        closed_on__isnull=False,
        closed_on__lte=cutoff(today, policy.years),
    )
    if policy.outcome == RetentionOutcome.ANONYMISE:
        cases = cases.filter(anonymised__isnull=True)
    return cases


def due_cases(policy: RetentionPolicy, today: dt.date) -> QuerySet[Case]:
    """The policy's due cases: closed long enough, not done yet, no active legal hold."""
    return closed_long_enough(policy, today).filter(~_active_hold())


def apply_retention(*, dry_run: bool = False, today: dt.date | None = None) -> list[Report]:
    """Apply every organisation's policy; one report per organisation with a policy."""
    today = today or timezone.localdate()
    if not dry_run:
        return _apply_policies(today)
    with transaction.atomic():
        reports = _apply_policies(today)
        transaction.set_rollback(True)
    return reports


def _apply_policies(today: dt.date) -> list[Report]:
    policies = RetentionPolicy.objects.select_related("organisation").order_by("pk")
    return [_apply_policy(policy, today) for policy in policies]


def _apply_policy(policy: RetentionPolicy, today: dt.date) -> Report:
    organisation: Organisation = policy.organisation
    report = Report(organisation.name, policy.outcome)
    report.held = closed_long_enough(policy, today).filter(_active_hold()).count()
    by_person: dict[int, list[int]] = defaultdict(list)
    for pk, person_id in due_cases(policy, today).order_by("pk").values_list("pk", "person_id"):
        by_person[person_id].append(pk)
    for person_id, case_ids in by_person.items():
        try:
            with transaction.atomic():
                _apply_to_person(
                    policy, organisation, person_id, case_ids, today=today, report=report
                )
        except (ProtectedError, RestrictedError, DatabaseError):
            reference = Person.objects.filter(pk=person_id).values_list("reference", flat=True)
            report.failed_people.append(reference.first() or "")
    return report


def _apply_to_person(
    policy: RetentionPolicy,
    organisation: Organisation,
    person_id: int,
    case_ids: list[int],
    *,
    today: dt.date,
    report: Report,
) -> None:
    # Lock the cases and look again: a hold placed meanwhile wins (place_legal_hold locks
    # the same rows).
    locked = list(
        due_cases(policy, today)
        .select_for_update(no_key=True, of=("self",))
        .filter(pk__in=case_ids)
        .order_by("pk")
    )
    if not locked:
        return
    person = Person.objects.select_for_update().get(pk=person_id)
    report.due += len(locked)
    cases = Case.objects.filter(pk__in=[c.pk for c in locked])
    kept = Case.objects.filter(person=person).exclude(pk__in=cases)
    delete = policy.outcome == RetentionOutcome.DELETE
    if delete:
        references = _delete_cases(cases)
        report.deleted_cases += references
        action = Action.RETENTION_DELETE
    else:
        references, changed = _anonymise_cases(cases)
        report.anonymised_cases += references
        action = Action.RETENTION_ANONYMISE
    for reference in references:
        record(
            actor=None,
            organisation=organisation,
            action=action,
            object_type="case",
            object_ref=reference,
            changed_fields=[] if delete else changed,
        )
    if person.organisation_id != organisation.pk:
        return
    if delete and not kept.exists():
        _delete_person(person)
        report.deleted_people.append(person.reference)
        record(
            actor=None,
            organisation=organisation,
            action=Action.RETENTION_DELETE,
            object_type="person",
            object_ref=person.reference,
        )
    elif not kept.filter(anonymised__isnull=True).exists() and not _person_anonymised(person):
        changed = _anonymise_person(person)
        report.anonymised_people.append(person.reference)
        record(
            actor=None,
            organisation=organisation,
            action=Action.RETENTION_ANONYMISE,
            object_type="person",
            object_ref=person.reference,
            changed_fields=changed,
        )


def _person_anonymised(person: Person) -> bool:
    return AnonymisedPerson.objects.filter(person=person).exists()


def _emptied(row: Model) -> dict[str, Any]:
    """Every encrypted field of `row` emptied, except the screening flags statistics read."""
    values: dict[str, Any] = {}
    for f in row._meta.concrete_fields:
        if isinstance(f, EncryptedJSONField):
            values[f.name] = {} if f.container == "dict" else []
        elif isinstance(f, EncryptedTextField):
            values[f.name] = ""
    if isinstance(row, Screening):
        flags = (row.result or {}).get("flags", [])
        values["result"] = {"flags": flags} if flags else {}
    return values


def _anonymise_rows(rows: dict[str, list[Model]]) -> list[str]:
    changed: set[str] = set()
    for label, found in rows.items():
        for row in found:
            values = _emptied(row)
            filled = [n for n, v in values.items() if getattr(row, n) != v]
            if filled:
                type(row)._default_manager.filter(pk=row.pk).update(**values)
                changed.update(f"{label}.{n}" for n in filled)
    return sorted(changed)


def _anonymise_cases(cases: QuerySet[Case]) -> tuple[list[str], list[str]]:
    """Empty the free text of the cases and of everything hanging off them."""
    rows = holdings.rows_of(None, cases)
    rows["cases.Case"] = list(cases.order_by("pk"))
    # A referral another organisation sent into one of these cases is theirs: untouched.
    ids = {case.pk for case in rows["cases.Case"]}
    rows["referrals.Referral"] = [
        r for r in rows["referrals.Referral"] if getattr(r, "case_id", None) in ids
    ]
    changed = _anonymise_rows(rows)
    # The messages on these cases' identification requests are free text about the person.
    messages = [m for m in ReferralMessage.objects.filter(referral__case_id__in=ids) if m.body]
    for message in messages:
        message.body = ""
        message.save(update_fields=["body"])
    if messages:
        changed = sorted({*changed, "referrals.ReferralMessage.body"})
    # So are the reasons given for emergency sharing, and the notes of their decisions.
    for request in OverrideRequest.objects.filter(referral__case_id__in=ids):
        filled = [n for n in ("reason", "decision_note") if getattr(request, n)]
        if filled:
            OverrideRequest.objects.filter(pk=request.pk).update(reason="", decision_note="")
            changed = sorted({*changed, *(f"referrals.OverrideRequest.{n}" for n in filled)})
    now = timezone.now()
    AnonymisedCase.objects.bulk_create(AnonymisedCase(case=c, anonymised_at=now) for c in cases)
    return list(cases.order_by("pk").values_list("reference", flat=True)), changed


def _anonymise_person(person: Person) -> list[str]:
    """Remove identity: the encrypted identity fields, every free text about the person,
    the name and document index. Gender, age band, citizenship and languages stay."""
    changed = _anonymise_rows(holdings.rows_of(person, Case.objects.none()))
    blank = {name: _emptied(person)[name] for name in IDENTITY_FIELDS}
    filled = [name for name, value in blank.items() if getattr(person, name) != value]
    Person.objects.filter(pk=person.pk).update(**blank, updated_at=timezone.now())
    PersonIndex.objects.filter(person=person).delete()
    AnonymisedPerson.objects.create(person=person)
    return sorted({*changed, *(f"people.Person.{n}" for n in filled), "people.PersonIndex"})


def _delete_cases(cases: QuerySet[Case]) -> list[str]:
    """Delete the cases and what hangs off them, in the order their protections ask."""
    references = list(cases.order_by("pk").values_list("reference", flat=True))
    ids = list(cases.values_list("pk", flat=True))
    # A referral another organisation sent into one of these cases stays theirs: only
    # its link to the case goes.
    Referral.objects.filter(receiver_case_id__in=ids).exclude(case_id__in=ids).update(
        receiver_case=None
    )
    screenings = Screening.objects.filter(case_id__in=ids)
    Intake.objects.filter(case_id__in=ids).delete()
    Intake.objects.filter(screening__in=screenings).delete()
    ReferralMessage.objects.filter(referral__case_id__in=ids).delete()
    OverrideRequest.objects.filter(referral__case_id__in=ids).delete()
    Referral.objects.filter(case_id__in=ids).delete()
    Consent.objects.filter(case_id__in=ids).delete()
    screenings.delete()
    Case.objects.filter(pk__in=ids).delete()
    return references


def _delete_person(person: Person) -> None:
    screenings = Screening.objects.filter(person=person)
    Intake.objects.filter(person=person).delete()
    Intake.objects.filter(screening__in=screenings).delete()
    Consent.objects.filter(person=person).delete()
    screenings.delete()
    person.delete()
