"""Fictional consents and referrals for `haven demo`: one referral answered and completed
inside Haven, one waiting past its reminder, one by letter to an agency without Haven."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.accounts.roles import Role
from haven.cases.models import Case
from haven.directory.models import DirectoryService
from haven.referrals import actions
from haven.referrals.models import Channel, Referral

Users = dict[Role, User]

ALL = ["identity", "contact", "screening", "narrative", "health", "legal"]


def _consent(users: Users, case: Case, service: DirectoryService, categories: list[str]) -> None:
    actions.record_consent(
        users[Role.CASE_WORKER],
        case,
        {
            "recipient_provider_id": service.provider_id,
            "recipient_org_type": "",
            "categories": categories,
            "purpose": "assistance",
            "expires_on": timezone.localdate() + dt.timedelta(days=180),
            "method": "written",
            "interpreter_used": True,
            "purpose_explained": True,
            "uses_explained": True,
            "right_to_see_explained": True,
            "storage_explained": True,
            "withdrawal_explained": True,
            "anonymous_research": False,
        },
    )


def _service(receiver: Organisation | None) -> DirectoryService | None:
    """A service taking referrals: of `receiver` inside Haven, or of an agency without it."""
    services = DirectoryService.objects.filter(accepts_referrals=True).select_related("provider")
    if receiver is not None:
        services = services.filter(provider__organisation=receiver)
    else:
        services = services.filter(provider__organisation__isnull=True)
    return services.order_by("pk").first()


def load(users: Users, receiving: Users, case: Case, waiting_case: Case) -> None:
    """`users` send from their organisation's cases; `receiving` answer inside Haven."""
    sender = users[Role.CASE_WORKER]
    helper = receiving[Role.CASE_WORKER]
    # Only the organisation a referral is addressed to can answer it.
    inside = _service(helper.organisation)
    outside = _service(None)
    if inside is None or outside is None:
        return
    _consent(users, case, inside, ["identity", "contact", "health"])
    referral = actions.send_referral(
        sender,
        case,
        inside,
        purpose="assistance",
        reason="AdditionalServicesRequired",
        details="Support while the case goes on (DEMO).",
        categories=["identity", "contact", "health"],
        channel=Channel.HAVEN,
    )
    actions.respond(helper, referral, accept=True, reason="", expected_version=referral.version)
    actions.complete(
        helper,
        referral,
        helped=True,
        outcome="Stayed 12 nights (DEMO).",
        expected_version=referral.version,
    )
    _consent(users, waiting_case, inside, ["contact"])
    waiting = actions.send_referral(
        sender,
        waiting_case,
        inside,
        purpose="assistance",
        reason="AdditionalServicesRequired",
        details="Legal advice on unpaid wages (DEMO).",
        categories=["contact"],
        channel=Channel.HAVEN,
    )
    Referral.objects.filter(pk=waiting.pk).update(sent_at=timezone.now() - dt.timedelta(days=6))
    _consent(users, case, outside, ALL[:3])
    actions.send_referral(
        sender,
        case,
        outside,
        purpose="assistance",
        reason="MigrationOrChangeOfLocation",
        details="Reintegration support after return (DEMO).",
        categories=["identity", "contact"],
        channel=Channel.LETTER,
    )
