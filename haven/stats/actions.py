"""Anonymised data releases: prepare, approve (a second person), download, write.

Record-level releases hold only people whose consent allows anonymised research use, with
no direct identifier at all (no name, date of birth, document, address, contact, free
text or reference), dates coarsened to the year, ages to bands, places to countries, and
every combination of quasi-identifiers shared by at least k people. Count releases use
everyone, with differentially private noise. Every step is recorded in the register and
audited; the file itself is kept in the register so that what was approved is exactly
what is downloaded (its SHA-256 is checked on the way out).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.audit import chain
from haven.audit.models import Action
from haven.core.errors import RefusedError
from haven.core.files import write_atomically
from haven.core.reference import AgeBand, Gender
from haven.core.training import refuse_leaving
from haven.screening_engine import default_catalogue
from haven.stats import anonymise, privacy
from haven.stats.models import FactTag, PersonFact, Release, ReleaseKind, ReleaseStatus
from haven.stats.scope import in_scope

# Column names follow HTCDS where it has the field; Haven's extensions say so in the notes.
QUASI_IDENTIFIERS = (
    "prs_Gender",
    "prs_AgeBand",
    "prs_Citizenship",
    "vic_Year",
    "vic_LocationOfExploitation",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_IsChild",  # it would reveal a child whose age band was generalised away
)
OTHER_COLUMNS = ("vic_TraffickingStatus", "vic_Methods_of_Control")
# Count releases: each person counts once, in one cell of this partition.
DP_DIMENSIONS = ("prs_Gender", "prs_AgeBand", "vic_Year", "vic_RegionOfExploitation")
REGIONS = {
    # UN M49 sub-regions for the countries Haven's users meet most; the rest is "other".
    **dict.fromkeys(["KH", "LA", "MM", "TH", "VN", "MY", "ID", "PH", "SG", "BN", "TL"], "SEA"),
    **dict.fromkeys(["CN", "HK", "MO", "TW", "JP", "KR", "KP", "MN"], "EastAsia"),
    **dict.fromkeys(["BD", "IN", "NP", "PK", "LK", "AF", "BT", "MV"], "SouthAsia"),
    **dict.fromkeys(["AE", "SA", "QA", "KW", "OM", "BH", "JO", "LB"], "WestAsia"),
    **dict.fromkeys(["AU", "NZ", "FJ", "PG", "SB", "VU"], "Oceania"),
}
MIN_K, MAX_K = 2, 1000


@dataclass(frozen=True)
class Prepared:
    content: bytes
    metadata: dict[str, Any]
    rows: int


def _organisation_for(actor: User | None, organisation: Organisation | None) -> Organisation | None:
    """Whose people: the actor's organisation unless their role reaches the deployment."""
    if actor is None:
        return organisation
    scopes = scopes_for(actor, Capability.RELEASE_REQUEST)
    if not scopes:
        raise PermissionDenied
    if Scope.DEPLOYMENT in scopes:
        return organisation
    if organisation is not None and organisation.pk != actor.organisation_id:
        raise PermissionDenied
    return actor.organisation


def _facts(organisation: Organisation | None, start: dt.date | None, end: dt.date | None) -> Any:
    # A release is of real people: a training organisation's practice records never count.
    facts = PersonFact.objects.filter(organisation__is_training=False)
    if organisation is not None:
        facts = facts.filter(organisation=organisation)
    if start:
        facts = facts.filter(first_contact__gte=start)
    if end:
        facts = facts.filter(first_contact__lte=end)
    return facts


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise RefusedError(_("The period ends before it starts."))


def _versions() -> dict[str, str]:
    try:
        code = metadata.version("haven")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        code = "unknown"
    return {"ruleset_version": default_catalogue().ruleset.version, "code_version": code}


def _period(start: dt.date | None, end: dt.date | None) -> dict[str, str | None]:
    return {
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }


def records(facts: Any) -> list[dict[str, str]]:
    """The released columns of each person: coded values only, nothing that names anyone."""
    tags: dict[int, dict[str, list[str]]] = {}
    rows = FactTag.objects.filter(fact__in=facts, dimension__in=("exploitation", "control"))
    for fact_id, dimension, value in rows.values_list("fact_id", "dimension", "value"):
        tags.setdefault(fact_id, {}).setdefault(dimension, []).append(value)
    found = []
    columns = (
        "pk",
        "sex",
        "age_band",
        "citizenship",
        "first_contact",
        "region",
        "industry",
        "child",
        "trafficking_status",
    )
    for pk, sex, band, citizenship, first, region, industry, child, status in facts.values_list(
        *columns
    ).iterator(chunk_size=5000):
        mine = tags.get(pk, {})
        found.append(
            {
                "prs_Gender": sex,
                "prs_AgeBand": band,
                "prs_Citizenship": citizenship or "unknown",
                "vic_Year": str(first.year),
                "vic_LocationOfExploitation": region or "unknown",
                "vic_TypeOfExploitation": ";".join(sorted(mine.get("exploitation", [])))
                or "unknown",
                "vic_ForcedLabourIndustry": industry or "unknown",
                "vic_IsChild": "true" if child else "false",
                "vic_TraffickingStatus": status or "unknown",
                "vic_Methods_of_Control": ";".join(sorted(mine.get("control", []))),
            }
        )
    return found


def _ladders() -> list[anonymise.Ladder]:
    return [
        anonymise.category_ladder("prs_Gender"),
        anonymise.age_band_ladder("prs_AgeBand"),
        anonymise.region_ladder("prs_Citizenship", REGIONS),
        anonymise.year_ladder("vic_Year"),
        anonymise.region_ladder("vic_LocationOfExploitation", REGIONS),
        anonymise.category_ladder("vic_TypeOfExploitation"),
        anonymise.category_ladder("vic_ForcedLabourIndustry"),
        anonymise.category_ladder("vic_IsChild"),
    ]


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def build_k_anonymous(
    organisation: Organisation | None,
    *,
    k: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    max_suppressed: float = 0.05,
) -> Prepared:
    if not MIN_K <= k <= MAX_K:
        raise RefusedError(
            _("k must be between %(low)s and %(high)s.") % {"low": MIN_K, "high": MAX_K}
        )
    _check_period(start, end)
    facts = _facts(organisation, start, end)
    everyone = facts.count()
    consenting = facts.filter(research_consent=True)
    released = anonymise.k_anonymise(records(consenting), _ladders(), k, max_suppressed)
    content = _csv(released.records, QUASI_IDENTIFIERS + OTHER_COLUMNS)
    meta = {
        "kind": ReleaseKind.K_ANONYMOUS.value,
        "quasi_identifiers": list(released.quasi_identifiers),
        "k": k,
        "generalisation": released.generalisation,
        "records": len(released.records),
        "suppressed": {
            "records": released.suppressed,
            "why": "their combination of quasi-identifiers was shared by fewer than k people "
            "after generalisation",
        },
        "excluded_without_research_consent": everyone - released.total,
        "consent": "Only people whose consent allows anonymised research use are included; "
        "aggregate statistics count everyone.",
        "not_released": "names, dates of birth, documents, addresses, contacts, free text, "
        "references; dates are coarsened to the year, ages to bands, places to countries",
        "period": _period(start, end),
        "organisation": organisation.name if organisation else "all organisations",
        "columns_outside_htcds": ["prs_AgeBand", "vic_Year", "vic_IsChild"],
        **_versions(),
    }
    return Prepared(content, meta, len(released.records))


OTHER_REGION = "other"


def dp_cell(row: dict[str, str]) -> tuple[str, str, str, str]:
    """A record's cell in the count release: its country grouped into a region."""
    country = row["vic_LocationOfExploitation"]
    region = "unknown" if country == "unknown" else REGIONS.get(country, OTHER_REGION)
    return (row["prs_Gender"], row["prs_AgeBand"], row["vic_Year"], region)


def dp_domain(start: dt.date | None, end: dt.date | None) -> list[tuple[str, str, str, str]]:
    """Every cell, whether anyone is in it or not: an empty cell gets noise too."""
    first = start.year if start else None
    if first is None:
        earliest = PersonFact.objects.order_by("first_contact").values_list(
            "first_contact", flat=True
        )
        found = earliest.first()
        first = found.year if found else timezone.localdate().year
    last = end.year if end else timezone.localdate().year
    regions = sorted(set(REGIONS.values()) | {OTHER_REGION, "unknown"})
    return [
        (gender, band, str(year), region)
        for gender, _g in Gender.choices
        for band, _b in AgeBand.choices
        for year in range(first, last + 1)
        for region in regions
    ]


def build_dp_counts(
    organisation: Organisation | None,
    *,
    epsilon: float,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Prepared:
    if not 0 < epsilon <= 10:
        raise RefusedError(_("Epsilon must be more than 0 and at most 10."))
    _check_period(start, end)
    facts = _facts(organisation, start, end)
    counts: dict[tuple[str, ...], int] = dict.fromkeys(dp_domain(start, end), 0)
    for row in records(facts):
        counts[dp_cell(row)] += 1
    noisy = privacy.noisy_counts(counts, epsilon)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*DP_DIMENSIONS, "count"])
    for labels, count in zip(noisy.labels, noisy.counts, strict=True):
        writer.writerow([*labels, count])
    meta = {
        "kind": ReleaseKind.DP_COUNTS.value,
        "dimensions": list(DP_DIMENSIONS),
        "mechanism": "discrete Laplace (OpenDP), one measurement over the partition",
        "epsilon": epsilon,
        "sensitivity": noisy.sensitivity,
        "scale": noisy.scale,
        "cells": len(noisy.counts),
        "note": "Every cell of the fixed domain is listed, empty ones too, so which "
        "combinations occur is protected by the noise as well. Countries of exploitation are "
        "grouped into regions; the years run over the period asked for, else from the "
        "deployment's first recorded year (a public bound, not a private one).",
        "regions": sorted(set(REGIONS.values()) | {OTHER_REGION, "unknown"}),
        "consent": "Counts include everyone; no record leaves.",
        "period": _period(start, end),
        "organisation": organisation.name if organisation else "all organisations",
        **_versions(),
    }
    return Prepared(out.getvalue().encode("utf-8"), meta, len(noisy.counts))


def _audit(
    actor: User | None, action: str, release: Release, fields: list[str] | None = None
) -> None:
    """Every step of a release, in the audit trail: which release and what, never values."""
    chain.record(
        actor=actor,
        action=action,
        organisation=release.organisation,
        object_type="release",
        object_ref=str(release.pk),
        changed_fields=fields or (),
    )


def _register(
    actor: User | None,
    organisation: Organisation | None,
    kind: str,
    parameters: dict[str, Any],
    prepared: Prepared,
    *,
    status: str,
) -> Release:
    digest = hashlib.sha256(prepared.content).hexdigest()
    with transaction.atomic():
        release = Release.objects.create(
            kind=kind,
            organisation=organisation,
            parameters=parameters,
            metadata={**prepared.metadata, "sha256": digest},
            sha256=digest,
            content=prepared.content,
            filename=f"haven-release-{timezone.localdate():%Y%m%d}-{kind}.csv",
            rows=prepared.rows,
            requested_by=actor,
            status=status,
        )
        _audit(actor, Action.RELEASE_REQUEST, release, sorted(parameters))
    return release


def prepare(
    actor: User | None,
    *,
    kind: str,
    organisation: Organisation | None = None,
    k: int = 11,
    epsilon: float = 1.0,
    start: dt.date | None = None,
    end: dt.date | None = None,
    approved: bool = False,
) -> Release:
    """Build a release and put it in the register, awaiting a second person's approval.

    `approved` is for the command line only (`haven release`): the operator who runs it
    already holds the database, so the file is written at once and the register says so.
    """
    if approved and actor is not None:
        raise PermissionDenied
    refuse_leaving(actor.organisation if actor is not None else organisation)
    whose = _organisation_for(actor, organisation)
    if kind == ReleaseKind.K_ANONYMOUS:
        prepared = build_k_anonymous(whose, k=k, start=start, end=end)
        parameters: dict[str, Any] = {"k": k}
    elif kind == ReleaseKind.DP_COUNTS:
        prepared = build_dp_counts(whose, epsilon=epsilon, start=start, end=end)
        parameters = {"epsilon": epsilon}
    else:
        raise RefusedError(_("Unknown kind of release."))
    parameters.update(_period(start, end))
    status = ReleaseStatus.APPROVED if approved else ReleaseStatus.AWAITING
    return _register(actor, whose, kind, parameters, prepared, status=status)


def visible(actor: User) -> QuerySet[Release]:
    """The releases `actor` may see in the register (deny by default)."""
    return in_scope(
        actor, Release.objects.all(), Capability.RELEASE_REQUEST, Capability.RELEASE_APPROVE
    )


def decide(actor: User, release: Release, *, approve: bool, expected_version: int) -> Release:
    """A second person approves or rejects: never the requester, once, on what they saw."""
    with transaction.atomic():
        current: Release | None = visible(actor).select_for_update().filter(pk=release.pk).first()
        if current is None or not scopes_for(actor, Capability.RELEASE_APPROVE):
            raise PermissionDenied
        if current.requested_by_id == actor.pk:
            raise RefusedError(_("A second person must approve a release, not the one who asked."))
        if current.status != ReleaseStatus.AWAITING:
            raise RefusedError(_("This release has already been decided."))
        if current.version != expected_version:
            raise RefusedError(_("Someone changed this release meanwhile. Nothing was saved."))
        current.status = ReleaseStatus.APPROVED if approve else ReleaseStatus.REJECTED
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.version += 1
        current.save()
        _audit(actor, Action.RELEASE_DECIDE, current, ["status"])
    return current


def content_for(actor: User, release: Release) -> bytes:
    """The approved file, for the requester or the approver; audited."""
    current: Release | None = visible(actor).filter(pk=release.pk).first()
    if current is None or actor.pk not in (current.requested_by_id, current.decided_by_id):
        raise PermissionDenied
    if current.status != ReleaseStatus.APPROVED:
        raise RefusedError(_("A release can be downloaded only once a second person approved it."))
    content = bytes(current.content)
    if hashlib.sha256(content).hexdigest() != current.sha256:
        raise RefusedError(_("The stored file does not match its register entry."))
    _audit(actor, Action.RELEASE_DOWNLOAD, current)
    return content


def write_files(release: Release, output: Path) -> Path:
    """Write the file and its metadata (`r.csv` and `r.meta.json`): both or neither."""
    meta_path = output.with_suffix(".meta.json")
    meta = json.dumps(release.metadata, indent=2, sort_keys=True).encode("utf-8")
    write_atomically([(output, bytes(release.content)), (meta_path, meta)])
    return meta_path
