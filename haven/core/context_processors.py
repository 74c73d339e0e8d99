from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from haven.accounts.actions import password_reset_by_email
from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.core.training import user_in_training
from haven.referrals.access import can_decide_overrides
from haven.training.access import in_training
from haven.translations import live

# Each language named in its own script. Django's table names Khmer in Latin letters.
LOCAL_NAMES = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
    "km": "ខ្មែរ",
    "vi": "Tiếng Việt",
    "my": "မြန်မာ",
}


def haven(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    nav: dict[str, bool] = {}
    if isinstance(user, User):
        nav = {
            "people": can(user, Capability.PERSON_VIEW),
            "people_create": can(user, Capability.PERSON_CREATE),
            "cases": can(user, Capability.CASE_VIEW),
            "screenings": can(user, Capability.SCREENING_VIEW),
            "team": can(user, Capability.TEAM_VIEW),
            "intake": can(user, Capability.INTAKE_ASSIGN),
            "referrals": can(user, Capability.REFERRAL_SEND)
            or can(user, Capability.REFERRAL_RECEIVE)
            or can(user, Capability.REFERRAL_ROUTE),
            "referrals_receive": can(user, Capability.REFERRAL_RECEIVE),
            "referrals_send": can(user, Capability.REFERRAL_SEND),
            "identification_requests": can(user, Capability.IDENTIFICATION_REQUESTS),
            "emergency": can_decide_overrides(user),
            "flows": can(user, Capability.REFERRAL_FLOWS),
            "exchange": can(user, Capability.REFERRAL_EXCHANGE),
            "directory": can(user, Capability.DIRECTORY_EDIT)
            or can(user, Capability.DIRECTORY_AVAILABILITY),
            "audit": can(user, Capability.AUDIT_VIEW),
            "users": can(user, Capability.USERS_VIEW),
            "retention": can(user, Capability.RETENTION_MANAGE),
            "organisations": can(user, Capability.ORGANISATIONS_VIEW),
            "statistics": can(user, Capability.STATISTICS_VIEW),
            "releases": can(user, Capability.RELEASE_REQUEST)
            or can(user, Capability.RELEASE_APPROVE),
            "htcds_import": can(user, Capability.DATA_IMPORT),
            # Survivors' feedback: the aggregate for those who may read it, else the page
            # that records anonymous feedback for those who assist.
            "feedback": can(user, Capability.FEEDBACK_VIEW),
            "feedback_record": can(user, Capability.ASSISTANCE_EDIT),
            "translations": can(user, Capability.TRANSLATION_REVIEW)
            or can(user, Capability.TRANSLATION_ACCEPT),
            "hotline": can(user, Capability.HOTLINE_LOG),
            "sos_alerts": can(user, Capability.SOS_RESPOND),
            "leads": can(user, Capability.LEAD_VIEW),
            "training": in_training(user, Capability.TRAINING_RUN),
        }
    return {
        "nav": nav,
        "training_space": user_in_training(user),
        "language_menu": [
            (code, LOCAL_NAMES.get(code, str(name))) for code, name in settings.LANGUAGES
        ],
        "draft_language": live.interface_has_drafts(get_language() or settings.LANGUAGE_CODE),
        "password_reset_by_email": password_reset_by_email(),
    }
