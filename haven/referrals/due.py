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


def waiting_too_long(
    referrals: QuerySet[Referral], now: dt.datetime | None = None
) -> list[Referral]:
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.HAVEN_REFERRAL_REMINDER_DAYS)
    return list(
        referrals.filter(status=ReferralStatus.SENT, sent_at__lt=cutoff).order_by("sent_at")
    )


def for_organisation(organisation: Organisation) -> list[Referral]:
    """Both sides: what this organisation sent and what it was sent."""
    sent = Referral.objects.filter(sender_organisation=organisation)
    received = Referral.objects.filter(recipient_organisation=organisation)
    return waiting_too_long(sent | received)
