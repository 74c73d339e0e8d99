"""Consent and referral pages. The sender works from the case; the receiving organisation
sees only the packet, cut to live consent at the moment it looks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Avg, Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Capability, can
from haven.cases.access import get_case_for
from haven.cases.models import Case
from haven.cases.pages import case_form_page, case_url
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.feedback import run_action
from haven.core.forms import VersionForm
from haven.core.training import same_space
from haven.directory.models import DirectoryService, Provider
from haven.people.actions import record_identity_view
from haven.referrals import actions, crossborder, letters, receiving
from haven.referrals import packet as packets
from haven.referrals.access import (
    consents_for,
    get_incoming_for,
    get_outgoing_for,
    get_override_to_decide,
    get_own_override_request,
    incoming_for,
    outgoing_for,
    override_queue_for,
)
from haven.referrals.exchange import MAX_FILE_BYTES
from haven.referrals.forms import (
    SERVICE_LABELS,
    CompleteForm,
    ConsentForm,
    ImportForm,
    OverrideDecisionForm,
    OverrideRequestForm,
    ReferralForm,
    RespondForm,
    RouteForm,
    WithdrawConsentForm,
)
from haven.referrals.models import (
    Channel,
    DataCategory,
    Deployment,
    Direction,
    Referral,
    ReferralStatus,
)
from haven.stats.disclosure import protect_counts
from haven.stats.tables import rules as statistics_rules

# The person's identity fields, as the person record keeps them (name, documents, contact).
IDENTITY_CATEGORIES = frozenset({DataCategory.IDENTITY, DataCategory.CONTACT})

# --- consent --------------------------------------------------------------------------


@requires(Capability.CONSENT_RECORD)
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CONSENT_RECORD)
    providers = [(p.pk, p.name) for p in Provider.objects.order_by("name")]
    deployments = list(Deployment.objects.filter(is_self=False).order_by("name"))
    form = ConsentForm(request.POST or None, providers=providers, deployments=deployments)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_consent(user, case, form.consent_data()),
        done=_("Consent recorded."),
        title=_("Record consent to share information"),
        anchor="referrals",
        intro=_(
            "Explain in a language the person understands. They may refuse, choose what is "
            "shared and with whom, and withdraw at any time: help does not depend on it."
        ),
    )


@requires(Capability.CONSENT_RECORD)
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Say honestly what withdrawing does, list what cannot be recalled, then withdraw."""
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CONSENT_RECORD)
    consent = get_object_or_404(
        consents_for(user).select_related("recipient_provider", "withdrawn_by"), case=case, pk=pk
    )
    outside = consent.sent_outside_haven()
    form = WithdrawConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = (
            _(
                "Consent withdrawn. Recipients inside Haven lost access at once. Letters and "
                "files already sent outside Haven cannot be recalled: contact those recipients."
            )
            if outside
            else _("Consent withdrawn. Recipients inside Haven lost access at once.")
        )

        def withdraw() -> None:
            actions.withdraw_consent(user, consent, reason=form.cleaned_data["reason"])

        if run_action(request, withdraw, done):
            return redirect(case_url(case, "referrals"))
        return redirect(request.path)  # refused: the page says why (already withdrawn)
    return render(
        request,
        "referrals/withdraw.html",
        {"case": case, "consent": consent, "outside": outside, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- sending --------------------------------------------------------------------------


def _service_choices(case_org_id: int) -> list[tuple[int, str]]:
    services = DirectoryService.objects.filter(accepts_referrals=True).select_related("provider")
    return [
        (s.pk, f"{SERVICE_LABELS.get(s.kind, s.kind)} · {s.provider.name}")
        for s in services.order_by("provider__name", "kind")
        if s.provider.organisation_id != case_org_id
    ]


def _deployments() -> list[tuple[str, str]]:
    return [(d.ident, d.name) for d in Deployment.objects.filter(is_self=False)]


def _contacts(case: Case) -> list[tuple[int, str]]:
    """Who may be named as the contact person: the active users of the case's organisation."""
    users = User.objects.filter(organisation_id=case.organisation_id, is_active=True)
    return [(u.pk, u.get_full_name() or u.username) for u in users.order_by("username")]


def _contact(case: Case, form: ReferralForm) -> User | None:
    """The chosen contact person, or None for the sender. send_referral checks again that
    they are still an active user of the case's organisation."""
    chosen = form.contact_id()
    if chosen is None:
        return None
    return User.objects.filter(organisation_id=case.organisation_id, pk=chosen).first()


def _preview(
    user: User,
    case: Case,
    service: DirectoryService,
    data: dict[str, Any],
    contact: User | None,
) -> dict[str, Any]:
    """Exactly what would go, and which chosen categories no live consent covers."""
    across = data["other_deployment"] if data["channel"] == Channel.CROSS_BORDER else ""
    allowed = actions.allowed_categories(
        case, service.provider, data["purpose"], timezone.localdate(), across
    )
    built = actions.preview(
        case,
        service,
        purpose=data["purpose"],
        reason=data["reason"],
        details=data["details"].strip(),
        categories=data["categories"],
        contact=contact or user,
        other_deployment=across,
    )
    if IDENTITY_CATEGORIES & {section["category"] for section in built["sections"]}:
        record_identity_view(user, case.person)  # the preview shows identity: audited
    preview = packets.display(built)
    preview["allowed"] = allowed
    preview["not_consented"] = packets.category_labels(
        [c for c in data["categories"] if c not in allowed]
    )
    return preview


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Choose a service and what to share; preview exactly what goes; then send."""
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.REFERRAL_SEND)
    form = ReferralForm(
        request.POST or None,
        services=_service_choices(case.organisation_id),
        deployments=_deployments(),
        contacts=_contacts(case),
        initial={
            "channel": Channel.HAVEN,
            "contact": str(user.pk),
            # From the identification page: a request to the competent authority.
            "purpose": request.GET.get("purpose", ""),
        },
    )
    preview: dict[str, Any] | None = None
    refused = ""
    if request.method == "POST" and form.is_valid():
        service = get_object_or_404(
            DirectoryService.objects.select_related("provider"), pk=form.service_id() or 0
        )
        data = form.cleaned_data
        contact = _contact(case, form)
        if "send" in request.POST:
            try:
                referral = actions.send_referral(
                    user,
                    case,
                    service,
                    purpose=data["purpose"],
                    reason=data["reason"],
                    details=data["details"].strip(),
                    categories=data["categories"],
                    channel=data["channel"],
                    other_deployment=data["other_deployment"],
                    contact=contact,
                )
            except RefusedError as error:
                refused = error.message
            else:
                messages.success(request, _("Referral sent."))
                return redirect("referrals:detail", reference=referral.reference)
        # A closed case sends nothing (send_referral refuses it): nothing to preview either.
        if not case.is_closed:
            preview = _preview(user, case, service, data, contact)
    return render(
        request,
        "referrals/new.html",
        {"case": case, "form": form, "preview": preview, "refused": refused},
        status=400 if request.method == "POST" and (refused or not form.is_valid()) else 200,
    )


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def outgoing(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request,
        "referrals/list.html",
        {"rows": [(r, None) for r in outgoing_for(user)[:200]], "incoming": False},
    )


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The sender's view: status, what is shared now, and what they can still do."""
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_SEND)
    now = timezone.now()
    visible = actions.visible_categories(referral, now)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "chosen": packets.category_labels(referral.categories),
            "visible": packets.category_labels(visible),
            "left": packets.category_labels(referral.left_categories),
            "withdrawal_due": crossborder.withdrawal_due(referral),
            "withdrawn_in_haven": referral.status == ReferralStatus.REVOKED or not visible,
            "override_active": referral.override_active(now),
            "override_requests": list(referral.override_requests.select_related("decided_by")[:20]),
            "version_form": VersionForm(initial={"version": referral.version}),
            "deployment": Deployment.objects.filter(ident=referral.other_deployment).first(),
        },
    )


def _referral_action(
    request: HttpRequest, referral: Referral, run: Any, done: str, back: str
) -> HttpResponse:
    run_action(request, run, done)
    return redirect(back, reference=referral.reference)


@requires(Capability.REFERRAL_SEND)
@require_POST
def revoke(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_SEND)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else 0
    return _referral_action(
        request,
        referral,
        lambda: actions.revoke(user, referral, expected_version=version),
        _("Referral revoked: the recipient no longer sees it."),
        "referrals:detail",
    )


@requires(Capability.REFERRAL_OVERRIDE)
@require_http_methods(["GET", "POST"])
def override_request(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask for emergency sharing without consent: nothing opens until a second person
    approves it."""
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_OVERRIDE)
    form = OverrideRequestForm(request.POST or None, initial={"version": referral.version})
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_override(
                user,
                referral,
                ground=form.cleaned_data["ground"],
                reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
                categories=form.cleaned_data["categories"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(request.path)
        except RefusedError as error:
            refused = error.message
        else:
            messages.warning(
                request,
                _("Emergency sharing requested. Nothing is shared until a supervisor approves."),
            )
            return redirect("referrals:detail", reference=referral.reference)
    return render(
        request,
        "referrals/override_request.html",
        {
            "referral": referral,
            "form": form,
            "refused": refused,
            "limit": settings.HAVEN_OVERRIDE_MAX_HOURS,
            "to_enforcement": actions.goes_to_enforcement(referral),
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.OVERRIDE_APPROVE, Capability.OVERRIDE_SECOND)
@require_http_methods(["GET"])
def emergency(request: HttpRequest) -> HttpResponse:
    """The emergency requests waiting for a second person, oldest first."""
    user = staff_user(request)
    return render(
        request,
        "referrals/emergency.html",
        {"requests": list(override_queue_for(user)[:200]), "now": timezone.now()},
    )


@requires(Capability.OVERRIDE_APPROVE, Capability.OVERRIDE_SECOND)
@require_http_methods(["GET", "POST"])
def override_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    override = get_override_to_decide(user, pk)
    form = OverrideDecisionForm(request.POST or None, initial={"version": override.version})
    if request.method == "POST":
        if form.is_valid():
            run_action(
                request,
                lambda: actions.decide_override(
                    user,
                    override,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                ),
                _("Decision recorded."),
            )
        else:
            messages.error(request, _("Please correct the fields marked below. Nothing was saved."))
        return redirect("referrals:override_decide", pk=override.pk)
    return render(
        request,
        "referrals/override_decide.html",
        {
            "override": override,
            "referral": override.referral,
            "form": form,
            "as_supervisor": can(user, Capability.OVERRIDE_APPROVE),
            "own": override.requested_by_id == user.pk,
        },
    )


@requires(Capability.REFERRAL_OVERRIDE)
@require_POST
def override_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    override = get_own_override_request(user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else 0
    return _referral_action(
        request,
        override.referral,
        lambda: actions.withdraw_override_request(user, override, expected_version=version),
        _("Emergency request withdrawn."),
        "referrals:detail",
    )


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def letter(request: HttpRequest, reference: str) -> HttpResponse:
    """The referral letter, in the language asked for, with only live consented data."""
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_SEND)
    if referral.channel not in (Channel.LETTER, Channel.ENCRYPTED_FILE) or not referral.is_open:
        return redirect("referrals:detail", reference=referral.reference)
    language = request.GET.get("lang") or get_language() or "en"
    if language not in dict(settings.LANGUAGES):
        language = "en"
    with translation.override(language):  # the values too are words in the letter's language
        built = actions.packet_for(user, referral)
    actions.letter_made(referral, [s["category"] for s in built["sections"]])
    pdf = letters.letter_pdf(built, language)
    if referral.channel == Channel.ENCRYPTED_FILE:
        pdf = letters.encrypted_pdf(pdf, referral.file_password)
    return _pdf(pdf, f"{referral.reference}.pdf")


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def withdrawal_notice(request: HttpRequest, reference: str) -> HttpResponse:
    """The signed notice asking the receiving deployment to hide the person's data."""
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_SEND)
    return _exchange_file(
        request,
        referral,
        lambda: crossborder.export_withdrawal(user, referral),
        "referrals:detail",
        "-withdrawal",
    )


@requires(Capability.REFERRAL_SEND)
@require_http_methods(["GET"])
def export(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_outgoing_for(user, reference, Capability.REFERRAL_SEND)
    return _exchange_file(
        request, referral, lambda: crossborder.export_referral(user, referral), "referrals:detail"
    )


def _exchange_file(
    request: HttpRequest, referral: Referral, make: Any, back: str, suffix: str = ""
) -> HttpResponse:
    """Download a cross-border file, or go back to the referral saying why not."""
    try:
        data = make()
    except RefusedError as error:
        messages.error(request, error.message)
        return redirect(back, reference=referral.reference)
    response = HttpResponse(data, content_type="application/octet-stream")
    name = f"{referral.reference}{suffix}.haven"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- receiving ------------------------------------------------------------------------


@requires(Capability.REFERRAL_RECEIVE, Capability.REFERRAL_ROUTE)
@require_http_methods(["GET"])
def incoming(request: HttpRequest) -> HttpResponse:
    """What others sent the organisation. Those who answer open each packet; those who
    route (coordinators) see who sent what for which service, and pass it on."""
    user = staff_user(request)
    reads = can(user, Capability.REFERRAL_RECEIVE)
    routes = can(user, Capability.REFERRAL_ROUTE)
    shown = (incoming_for(user) if reads else receiving.routable_for(user)).select_related(
        "handled_by"
    )
    referrals = list(shown[:200])
    colleagues = (
        [(u.pk, u.username) for u in receiving.handlers(user.organisation_id)] if routes else []
    )
    return render(
        request,
        "referrals/list.html",
        {
            "rows": [
                (
                    r,
                    RouteForm(
                        colleagues=colleagues, initial={"version": r.version}, prefix=f"r{r.pk}"
                    )
                    if routes and r.is_open
                    else None,
                )
                for r in referrals
            ],
            "incoming": True,
            "opens_packet": reads,
        },
    )


@requires(Capability.REFERRAL_ROUTE)
@require_POST
def route(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_object_or_404(receiving.routable_for(user), reference=reference)
    colleagues = receiving.handlers(user.organisation_id)
    form = RouteForm(
        request.POST, colleagues=[(u.pk, u.username) for u in colleagues], prefix=f"r{referral.pk}"
    )
    if not form.is_valid():
        messages.error(request, _("Choose the colleague who answers this referral."))
        return redirect("referrals:incoming")
    colleague = next(u for u in colleagues if u.pk == form.cleaned_data["colleague"])
    run_action(
        request,
        lambda: receiving.route(
            user, referral, colleague, expected_version=form.cleaned_data["version"]
        ),
        _("Passed on: your colleague is told on their home page."),
    )
    return redirect("referrals:incoming")


@requires(Capability.REFERRAL_RECEIVE)
@require_http_methods(["GET"])
def packet(request: HttpRequest, reference: str) -> HttpResponse:
    """What the receiving organisation sees: the packet, never the case."""
    user = staff_user(request)
    referral = get_incoming_for(user, reference)
    built = actions.packet_for(user, referral)
    return render(
        request,
        "referrals/packet.html",
        {
            "referral": referral,
            "packet": packets.display(built),
            "deployment": Deployment.objects.filter(ident=referral.other_deployment).first()
            if referral.other_deployment
            else None,
            "respond_form": RespondForm(initial={"version": referral.version}),
            "may_open_case": receiving.may_open_case(user, referral),
            "complete_form": CompleteForm(initial={"version": referral.version}),
        },
    )


@requires(Capability.REFERRAL_RECEIVE)
@require_POST
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_incoming_for(user, reference)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you accept or decline."))
        return redirect("referrals:packet", reference=referral.reference)
    data = form.cleaned_data
    accept = data["answer"] == "accept"
    return _referral_action(
        request,
        referral,
        lambda: actions.respond(
            user,
            referral,
            accept=accept,
            reason=data["reason"],
            decline_code=data["decline_code"],
            expected_version=data["version"],
        ),
        _("Referral accepted.") if accept else _("Referral declined."),
        "referrals:packet",
    )


@requires(Capability.REFERRAL_RECEIVE)
@require_POST
def complete(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_incoming_for(user, reference)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether help was given."))
        return redirect("referrals:packet", reference=referral.reference)
    data = form.cleaned_data
    return _referral_action(
        request,
        referral,
        lambda: actions.complete(
            user,
            referral,
            helped=data["helped"] == "yes",
            outcome=data["outcome"],
            expected_version=data["version"],
        ),
        _("Outcome recorded."),
        "referrals:packet",
    )


@requires(Capability.REFERRAL_RECEIVE)
@require_http_methods(["GET"])
def acknowledgement(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    referral = get_incoming_for(user, reference)
    return _exchange_file(
        request,
        referral,
        lambda: crossborder.export_ack(user, referral),
        "referrals:packet",
        "-ack",
    )


@requires(Capability.REFERRAL_EXCHANGE)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            referral = crossborder.import_file(user, upload.read(MAX_FILE_BYTES + 1))
        except RefusedError as error:
            refused = error.message
        else:
            if referral.direction == Direction.INCOMING:
                messages.success(request, _("Referral imported."))
                return redirect("referrals:packet", reference=referral.reference)
            messages.success(request, _("Acknowledgement imported: the referral is updated."))
            return redirect("referrals:detail", reference=referral.reference)
    return render(
        request,
        "referrals/import.html",
        {"form": form, "refused": refused},
        status=400 if request.method == "POST" else 200,
    )


# --- the referral mechanism as a whole -----------------------------------------------


@requires(Capability.REFERRAL_FLOWS)
@require_http_methods(["GET"])
def flows(request: HttpRequest) -> HttpResponse:
    """Referral flows across organisations, as counts only: never a reference or a name."""
    referrals = same_space(
        staff_user(request), Referral.objects.filter(direction="outgoing"), "case__organisation"
    )
    by_service = referrals.values("service_kind").annotate(n=Count("pk")).order_by("-n")
    by_type = referrals.values("service__provider__org_type").annotate(n=Count("pk")).order_by("-n")
    by_status = referrals.values("status").annotate(n=Count("pk")).order_by("-n")
    answered = referrals.filter(
        responded_at__isnull=False,
        status__in=(
            ReferralStatus.ACCEPTED,
            ReferralStatus.COMPLETED,
            ReferralStatus.NOT_COMPLETED,
        ),
    )
    average = answered.aggregate(avg=Avg(F("responded_at") - F("sent_at")), n=Count("pk"))
    statuses = dict(ReferralStatus.choices)
    org_types = dict(OrganisationType.choices)

    def published(rows: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
        """Through the statistics' disclosure control: small counts hidden, all rounded."""
        merged: dict[str, int] = {}
        for label, n in rows:
            merged[label] = merged.get(label, 0) + n
        protected = protect_counts(merged, statistics_rules())
        return list(zip(protected.rows, protected.row_totals, strict=True))

    total = protect_counts({"all": referrals.count()}, statistics_rules()).total
    enough = average["n"] >= statistics_rules().threshold and average["avg"] is not None
    return render(
        request,
        "referrals/flows.html",
        {
            "by_service": published(
                [
                    (str(SERVICE_LABELS.get(r["service_kind"], r["service_kind"])), r["n"])
                    for r in by_service
                ]
            ),
            "by_type": published(
                [
                    (str(org_types.get(r["service__provider__org_type"], "—")), r["n"])
                    for r in by_type
                ]
            ),
            "by_status": published(
                [(str(statuses.get(r["status"], r["status"])), r["n"]) for r in by_status]
            ),
            "total": total,
            "average_days": round(average["avg"].total_seconds() / 86400, 1) if enough else None,
        },
    )
