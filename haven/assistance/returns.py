"""When a voluntary return may go ahead: non-refoulement and the reflection period.

One place for the two bars on a return, read by the actions that approve a return plan
or set its travel date (assistance.actions) and by the case page that explains why a plan
waits. Each bar is a translated reason, or "" when it does not apply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from haven.cases.choices import AsylumReferral, FearOfReturn
from haven.identification import jurisdictions

if TYPE_CHECKING:
    from haven.cases.models import Case


def protection_concern(case: Case) -> str:
    """Why return may expose the person to harm (non-refoulement): a fear of harm or
    persecution on return, or an asylum or international-protection referral not ended."""
    reasons = []
    if case.fear_of_return == FearOfReturn.YES:
        reasons.append(_("The person fears harm or persecution on return."))
    if case.asylum_referral == AsylumReferral.REFERRED:
        reasons.append(_("The person's asylum or international-protection referral is open."))
    return " ".join(reasons)


def reflection_bar(case: Case, today: dt.date, travel_on: dt.date | None = None) -> str:
    """Why no return may be approved, or travel dated, now: the reflection and recovery
    period runs (today, or on the travel date) and the case's jurisdiction allows no
    removal during it. The reason is the profile's own text, in the user's language."""
    profile = jurisdictions.get(case.jurisdiction)
    if profile.removal_allowed_during_reflection:
        return ""
    if not (
        case.in_reflection_period(today)
        or (travel_on is not None and case.in_reflection_period(travel_on))
    ):
        return ""
    notice = profile.reflection_notice_in(get_language() or "en") or _(
        "The law of this case's jurisdiction allows no return during the reflection and "
        "recovery period."
    )
    if case.reflection_ends is None:  # in_reflection_period is False without an end
        return notice
    ends = formats.date_format(case.reflection_ends, "SHORT_DATE_FORMAT")
    return f"{notice} " + _("The period ends on %(date)s.") % {"date": ends}
