"""Opening hours in the reader's language.

Providers write their hours in a short English pattern ("Monday to Friday, 8:00 to 17:00",
"Every day, 24 hours"; several parts separated by ";"). Text that follows the pattern is
shown in the page's language; anything else is shown as written and marked as English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DAYS = {
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
}
_DAY = "(" + "|".join(DAYS) + ")"
_TIME = r"(\d{1,2}[:.]\d{2})"
_DAYS_PART = re.compile(rf"^(?:(every day)|{_DAY}(?: to {_DAY})?)$")
_HOURS_PART = re.compile(rf"^(?:(24 hours)|{_TIME} to {_TIME})$")


@dataclass(frozen=True)
class Hours:
    text: str
    # The language of `text` when it is shown as written ("" when in the page's language).
    lang: str = ""


def _days(text: str) -> str | None:
    match = _DAYS_PART.match(text)
    if not match:
        return None
    every, first, last = match.groups()
    if every:
        return gettext("Every day")
    if last:
        return gettext("%(first)s to %(last)s") % {
            "first": DAYS[first],
            "last": DAYS[last],
        }
    return str(DAYS[first])


def _hours(text: str) -> str | None:
    match = _HOURS_PART.match(text)
    if not match:
        return None
    always, opens, closes = match.groups()
    if always:
        return gettext("24 hours")
    return gettext("%(opens)s to %(closes)s") % {"opens": opens, "closes": closes}


def _part(text: str) -> str | None:
    days_text, _comma, hours_text = text.partition(",")
    days = _days(days_text.strip())
    if days is None:
        return _hours(text)
    if not hours_text.strip():
        return days
    hours = _hours(hours_text.strip())
    if hours is None:
        return None
    return gettext("%(days)s, %(hours)s") % {"days": days, "hours": hours}


def local_hours(written: str) -> Hours:
    """`written` in the active language if it follows the pattern, else as written."""
    parts = [p.strip().lower() for p in written.strip().rstrip(".").split(";")]
    shown = [_part(p) for p in parts if p]
    if not shown or any(s is None for s in shown):
        return Hours(written, "en")
    return Hours("; ".join(s for s in shown if s is not None))
