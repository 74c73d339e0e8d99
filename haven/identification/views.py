from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability
from haven.cases.access import get_case_for
from haven.cases.pages import case_form_page
from haven.core.access import get_or_404
from haven.core.decorators import requires, staff_user
from haven.core.feedback import run_action
from haven.identification import actions, authority, jurisdictions
from haven.identification.forms import DecideRequestForm, MessageForm, StatusChangeForm
from haven.identification.models import IdentificationChange
from haven.referrals import actions as referral_actions
from haven.referrals import packet as packets
from haven.referrals.access import identification_requests_for, outgoing_for
from haven.referrals.models import Purpose, Referral, ReferralStatus
from haven.screening.access import screenings_for
from haven.screening.models import ScreeningStatus

if TYPE_CHECKING:
    from haven.accounts.models import User


@requires(Capability.IDENTIFICATION_CHANGE)
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the next step of identification: a presumption, a formal decision, a court's
    judgment, or the person's withdrawal. Only the moves the table and the jurisdiction
    allow this user are offered; any other is refused by the action as well."""
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.IDENTIFICATION_CHANGE)
    screenings = list(
        screenings_for(user, Capability.SCREENING_VIEW)
        .filter(case=case, status=ScreeningStatus.COMPLETED)
        .order_by("-completed_at")
    )
    form = StatusChangeForm(
        request.POST or None,
        targets=actions.target_choices(user, case),
        screenings=screenings,
        initial={"version": case.version},
    )
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.change_status(
            user,
            case,
            form.cleaned_data["target"],
            decided_on=form.cleaned_data["decided_on"],
            basis=form.cleaned_data["basis"],
            screenings=form.chosen_screenings(),
            expected_version=form.cleaned_data["version"],
        ),
        done=_("Identification status recorded."),
        title=_("Identification: record the next step"),
        anchor="identification",
        submit=_("Record"),
        intro=_(
            "Assistance does not wait for this: the person is helped on the presumption, "
            "whatever any decision says, and whether or not they cooperate with the police."
        ),
        template="identification/change.html",
        context={
            "jurisdiction": jurisdictions.get(case.jurisdiction),
            "authority_step": _authority_step(user, case),
            "open_request": authority.open_request(case),
        },
    )


def _authority_step(user: User, case: Any) -> jurisdictions.Step | None:
    """The decision the case waits for, when another organisation (the competent
    authority) takes it: the page offers a request instead."""
    waiting = authority.pending(case)
    if waiting is None or authority.is_competent(waiting[1], user.organisation):
        return None
    return waiting[1]


def _request_for(user: User, reference: str) -> tuple[Referral, bool]:
    """The request and whether the user sees it as the authority (else as the referring
    organisation, through its case). Anyone else: 404."""
    mine = identification_requests_for(user).filter(reference=reference).first()
    if mine is not None:
        return mine, True
    sent = outgoing_for(user).filter(purpose=Purpose.IDENTIFICATION)
    return get_or_404(sent, reference=reference), False


@requires(Capability.IDENTIFICATION_REQUESTS)
@require_http_methods(["GET"])
def requests(request: HttpRequest) -> HttpResponse:
    """The competent authority's queue: open requests first, soonest due first."""
    user = staff_user(request)
    mine = identification_requests_for(user)
    open_statuses = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
    # Open requests, oldest first, are fetched apart from the closed ones, so that a
    # long history of decided requests never pushes a waiting one off the page.
    rows = []
    for referral in mine.filter(status__in=open_statuses).order_by("sent_at")[:300]:
        case = referral.case
        waiting = authority.pending(case) if case is not None else None
        due = authority.target_date(case, waiting[0]) if case is not None and waiting else None
        rows.append((referral, waiting[1] if waiting else None, due))
    today = timezone.localdate()
    waiting_rows = sorted(rows, key=lambda row: (row[2] is None, row[2] or today, row[0].sent_at))
    closed = [
        (referral, None, None)
        for referral in mine.exclude(status__in=open_statuses).order_by("-sent_at")[:50]
    ]
    return render(
        request,
        "identification/requests.html",
        {
            "waiting": waiting_rows,
            "closed": closed,
            "today": today,
        },
    )


@requires(Capability.IDENTIFICATION_REQUESTS, Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One identification request. The authority sees the consented packet (audited), the
    thread and the decision form; the referring organisation sees the thread and the
    outcome. Neither sees more of the other's records."""
    user = staff_user(request)
    referral, as_authority = _request_for(user, reference)
    context: dict[str, Any] = {
        "referral": referral,
        "as_authority": as_authority,
        "thread": list(referral.messages.select_related("organisation", "author")),
        "message_form": MessageForm(),
        "decision": IdentificationChange.objects.filter(
            case=referral.case,
            decided_by_organisation_id=referral.recipient_organisation_id,
            created_at__gte=referral.sent_at,
        )
        .order_by("-created_at")
        .first()
        if referral.status == ReferralStatus.COMPLETED and referral.case is not None
        else None,
    }
    if as_authority:
        case = referral.case
        waiting = authority.pending(case) if case is not None and referral.is_open else None
        context["packet"] = packets.display(referral_actions.packet_for(user, referral))
        context["step"] = waiting[1] if waiting else None
        if case is not None and waiting is not None:
            context["due"] = authority.target_date(case, waiting[0])
            context["earliest"] = case.final_decision_earliest if waiting[0] == "final" else None
        context["decide_form"] = DecideRequestForm(
            targets=actions.answer_choices(user, referral), initial={"version": referral.version}
        )
    return render(request, "identification/request.html", context)


@requires(Capability.IDENTIFICATION_REQUESTS, Capability.REFERRAL_SEND)
@require_POST
def request_message(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral, _as_authority = _request_for(user, reference)
    form = MessageForm(request.POST)
    if form.is_valid():
        body = form.cleaned_data["body"]
        run_action(
            request,
            lambda: referral_actions.post_message(user, referral, body),
            _("Message sent."),
        )
    else:
        messages.error(request, _("Write the message (at most 4,000 characters)."))
    return redirect("identification:request", reference=referral.reference)


@requires(Capability.IDENTIFICATION_REQUESTS)
@require_POST
def request_decide(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_or_404(identification_requests_for(user), reference=reference)
    form = DecideRequestForm(request.POST, targets=actions.answer_choices(user, referral))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("identification:request", reference=referral.reference)
    data = form.cleaned_data
    run_action(
        request,
        lambda: actions.decide_request(
            user,
            referral,
            data["target"],
            decided_on=data["decided_on"],
            basis=data["basis"],
            expected_version=data["version"],
        ),
        _("Decision recorded and sent back to the requesting organisation."),
    )
    return redirect("identification:request", reference=referral.reference)
