"""Referrals waiting too long for an answer: a reminder on both sides."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from haven.referrals.models import Referral, ReferralStatus

if TYPE_CHECKING:
    from haven.accounts.models import Organisation


def reminder_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Sent before this and still unanswered: waiting too long."""
    return (now or timezone.now()) - dt.timedelta(days=settings.HAVEN_REFERRAL_REMINDER_DAYS)


def is_waiting_too_long(referral: Referral, now: dt.datetime | None = None) -> bool:
    return referral.status == ReferralStatus.SENT and referral.sent_at < reminder_cutoff(now)


def waiting_too_long(
    referrals: QuerySet[Referral], now: dt.datetime | None = None, limit: int | None = None
) -> list[Referral]:
    """Sent and unanswered for longer than the reminder period, oldest first."""
    found = referrals.filter(status=ReferralStatus.SENT, sent_at__lt=reminder_cutoff(now)).order_by(
        "sent_at"
    )
    return list(found[:limit] if limit is not None else found)


def for_organisation(organisation: Organisation) -> list[Referral]:
    """Both sides: what this organisation sent and what it was sent."""
    sent = Referral.objects.filter(sender_organisation=organisation)
    received = Referral.objects.filter(recipient_organisation=organisation)
    return waiting_too_long(sent | received)
