from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability, can
from haven.cases.access import cases_for, due_cases_for
from haven.cases.due import due_summary
from haven.cases.intake import intake_queue
from haven.cases.models import CaseEvent, Notification
from haven.core.decorators import staff_user
from haven.hotline.access import alerts_for
from haven.people.access import people_for
from haven.referrals.access import incoming_for, outgoing_for
from haven.referrals.due import is_waiting_too_long, waiting_too_long
from haven.referrals.models import ReferralStatus
from haven.referrals.receiving import routable_for

logger = logging.getLogger(__name__)

CASE_COUNT_CAP = 1000
INTAKE_ON_HOME = 5
REFERRALS_ON_HOME = 5


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, and nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    context: dict[str, object] = {"case_count_cap": CASE_COUNT_CAP}
    # Everyone's own news: about cases of their team, or referrals their organisation got.
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    context["notifications"] = unread.select_related("event__case", "event__actor", "referral")[:10]
    if can(user, Capability.SOS_RESPOND):
        context["sos_waiting"] = list(alerts_for(user).filter(acknowledged_at__isnull=True)[:5])
    if can(user, Capability.INTAKE_ASSIGN):
        queue = intake_queue(user)
        context["intake_waiting"] = list(queue[:INTAKE_ON_HOME])
        context["intake_count"] = queue.order_by().values("pk")[: CASE_COUNT_CAP + 1].count()
    if can(user, Capability.CASE_VIEW):
        cases = cases_for(user, Capability.CASE_VIEW)
        context["my_cases"] = cases.filter(assigned_to=user).select_related("person")[:10]
        # Counting stops at the cap: the exact number of a country's cases is not worth
        # a scan on every home page.
        context["case_count"] = cases.order_by().values("pk")[: CASE_COUNT_CAP + 1].count()
        # A case worker's "due" is their own caseload; a supervisor's, the organisation's.
        context["due"] = due_summary(due_cases_for(user), timezone.localdate())
        # Newest activity: what the notifications above do not already say.
        context["activity"] = (
            CaseEvent.objects.filter(case__in=cases)
            .exclude(notifications__in=unread)
            .select_related("case", "actor")[:10]
        )
    # What others sent this organisation, and what this user's cases sent: apart, so a
    # reminder about one's own referral never reads as something waiting for an answer.
    if can(user, Capability.REFERRAL_RECEIVE) or can(user, Capability.REFERRAL_ROUTE):
        received = incoming_for(user) if can(user, Capability.REFERRAL_RECEIVE) else None
        waiting = (received if received is not None else routable_for(user)).filter(
            status=ReferralStatus.SENT
        )
        context["incoming_waiting"] = waiting.order_by().values("pk")[: CASE_COUNT_CAP + 1].count()
        context["incoming_first"] = [
            (referral, is_waiting_too_long(referral))
            for referral in waiting.select_related("handled_by").order_by("sent_at", "pk")[
                :REFERRALS_ON_HOME
            ]
        ]
        context["incoming_opens_packet"] = received is not None
    if can(user, Capability.REFERRAL_SEND):
        context["outgoing_reminders"] = waiting_too_long(
            outgoing_for(user), limit=REFERRALS_ON_HOME
        )
    if can(user, Capability.PERSON_VIEW):
        context["recent_people"] = people_for(user, Capability.PERSON_VIEW).order_by("-created_at")[
            :5
        ]
    return render(request, "core/home.html", context)


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, f"core/errors/{status}.html", status=status)


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: the failure may lie in it.
    return HttpResponse(render_to_string("core/errors/500.html"), status=500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/errors/csrf.html", status=403)
