"""The hotline's pages. Thin: each parses its form, reaches records through the scoped
lookups of haven.hotline.access, and calls one action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability, can
from haven.campaigns.calls import campaign_periods
from haven.core.access import get_or_404
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.core.feedback import form_page, run_action
from haven.core.places import region_name
from haven.core.training import in_training
from haven.directory.models import Provider
from haven.hotline import actions, advice, volume
from haven.hotline.access import (
    alerts_for,
    calls_for,
    get_alert_for,
    get_call_for,
    get_lead_for,
    leads_for,
    shifts_for,
)
from haven.hotline.choices import LeadSource, LeadStatus, Topic
from haven.hotline.forms import (
    AssignLeadForm,
    CallFilterForm,
    CallForm,
    DutyForm,
    LeadForm,
    PassLeadForm,
    SosForm,
    VersionForm,
    VolumeForm,
    language_choices,
    split_place,
)
from haven.hotline.models import Call, Lead
from haven.referrals.receiving import active_users
from haven.screening.forms import ReadinessForm
from haven.screening.views import next_step

PAGE_SIZE = 25


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET"])
def call_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    filters = CallFilterForm(request.GET or None)
    calls = calls_for(user).select_related("recorded_by", "sos")
    query: dict[str, str] = {}
    if filters.is_valid():
        day = filters.cleaned_data.get("day")
        topic = filters.cleaned_data.get("topic")
        if day:
            tz = timezone.get_current_timezone()
            since = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            calls = calls.filter(
                received_at__gte=since, received_at__lt=since + dt.timedelta(days=1)
            )
            query["day"] = day.isoformat()
        if topic:
            calls = calls.filter(topic=topic)
            query["topic"] = topic
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hotline/call_list.html",
        {"page": page, "filters": filters, "query": urlencode(query)},
        status=200 if filters.is_valid() or not request.GET else 400,
    )


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET", "POST"])
def call_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    language = _language()
    form = CallForm(request.POST or None, organisation=user.organisation, language=language)

    def save() -> Call:
        data = form.cleaned_data
        country, region = split_place(data["place"])
        return actions.log_call(
            user,
            channel=data["channel"],
            caller_type=data["caller_type"],
            topic=data["topic"],
            language=data["language"],
            outcome=data["outcome"],
            country=country,
            region=region,
            advice=data["advice"],
            caller_consent=data["caller_consent"],
            notes=data["notes"],
        )

    return form_page(
        request,
        form,
        save,
        done=_("Call logged."),
        back=reverse("hotline:calls"),
        template="hotline/call_form.html",
        context={"scripts": advice.scripts(language)},
        then=lambda call: reverse("hotline:call_detail", args=[call.pk]),
    )


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET"])
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    call = get_call_for(user, pk)
    sos = getattr(call, "sos", None) if call.topic == Topic.SOS else None
    language = _language()
    given = [advice.script(key, language) for key in call.advice if key in advice.keys_set()]
    leads = list(leads_for(user).filter(call=call))
    return render(
        request,
        "hotline/call_detail.html",
        {
            "call": call,
            "sos": sos,
            "given": given,
            "region": region_name(call.region),
            "language": dict(language_choices()).get(call.language, call.language),
            "leads": leads,
            "can_screen": can(user, Capability.SCREENING_CREATE) and call.screening_id is None,
        },
    )


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET", "POST"])
def call_screening(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick screening from a call: the screening app's own readiness checklist, then
    its own interview; the call keeps the link."""
    user = staff_user(request)
    call = get_call_for(user, pk)
    form = ReadinessForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            screening = actions.start_call_screening(user, call, readiness=form.cleaned_data)
        except RefusedError as error:
            refused = error.message
        else:
            return redirect(next_step(screening))
    return render(
        request,
        "screening/start.html",
        {"form": form, "person": None, "case": None, "duty_bound_type": "", "refused": refused},
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET", "POST"])
def call_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """A tip about a third person, from a call: it opens a lead, not a person record."""
    user = staff_user(request)
    call = get_call_for(user, pk)
    form = LeadForm(
        request.POST or None,
        organisation=user.organisation,
        initial={"place": call.region or call.country},
    )

    def save() -> Lead:
        data = form.cleaned_data
        country, region = split_place(data["place"])
        return actions.open_lead(
            user,
            source=LeadSource.HOTLINE,
            country=country,
            region=region,
            district=data["district"],
            sector=data["sector"],
            summary=data["summary"],
            call=call,
        )

    return form_page(
        request,
        form,
        save,
        done=_("Lead opened. No person record was made."),
        back=reverse("hotline:call_detail", args=[call.pk]),
        template="hotline/lead_form.html",
        context={"call": call},
        then=lambda lead: (
            reverse("hotline:lead_detail", args=[lead.pk])
            if can(user, Capability.LEAD_VIEW)
            else reverse("hotline:call_detail", args=[call.pk])
        ),
    )


@requires(Capability.HOTLINE_LOG)
@require_http_methods(["GET", "POST"])
def sos(request: HttpRequest) -> HttpResponse:
    """One screen for an SOS: where, who, what danger; it alerts the supervisor on duty."""
    user = staff_user(request)
    form = SosForm(request.POST or None, organisation=user.organisation)

    def save() -> Any:
        data = form.cleaned_data
        country, region = split_place(data["place"])
        alert = actions.raise_sos(
            user,
            where=data["where"],
            who=data["who"],
            danger=data["danger"],
            channel=data["channel"],
            language=data["language"],
            country=country,
            region=region,
        )
        # Never claim an alert that reached nobody: the operator must then act alone.
        if alert.alerted.exists():
            messages.success(request, _("The supervisor on duty has been alerted."))
        else:
            messages.error(
                request,
                _(
                    "No supervisor could be alerted: this organisation has no active "
                    "supervisor. If someone is in danger, call the emergency services now."
                ),
            )
        return alert

    return form_page(
        request,
        form,
        save,
        done=_("SOS recorded."),
        back=reverse("hotline:calls"),
        template="hotline/sos.html",
        context={"steps": advice.script("sos_steps", _language())},
        then=lambda alert: reverse("hotline:call_detail", args=[alert.call_id]),
    )


@requires(Capability.SOS_RESPOND)
@require_http_methods(["GET"])
def alert_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    alerts = alerts_for(user).select_related("raised_by", "acknowledged_by", "call")
    waiting = list(alerts.filter(acknowledged_at__isnull=True))
    for alert in waiting:
        alert.region_label = region_name(alert.region)  # type: ignore[attr-defined]
    page = Paginator(alerts.filter(acknowledged_at__isnull=False), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "hotline/alerts.html",
        {"waiting": waiting, "page": page, "on_duty": actions.on_duty(user.organisation_id)},
    )


@requires(Capability.SOS_RESPOND)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    alert = get_alert_for(user, pk)
    run_action(
        request,
        lambda: actions.acknowledge_sos(user, alert),
        _("SOS acknowledged: you have it in hand."),
    )
    return redirect("hotline:alerts")


def _supervisors(user: User) -> Any:
    ids = [u.pk for u in active_users(user.organisation_id, Capability.SOS_RESPOND)]
    return User.objects.filter(pk__in=ids).order_by("username")


@requires(Capability.SOS_RESPOND)
@require_http_methods(["GET", "POST"])
def duty(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = DutyForm(request.POST or None, supervisors=_supervisors(user))

    def save() -> object:
        data = form.cleaned_data
        return actions.set_duty(
            user,
            supervisor=data["supervisor"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        )

    shifts = (
        shifts_for(user)
        .filter(ends_at__gt=timezone.now() - dt.timedelta(days=1))
        .select_related("supervisor")[:50]
    )
    return form_page(
        request,
        form,
        save,
        done=_("Duty shift set."),
        back=reverse("hotline:duty"),
        template="hotline/duty.html",
        context={
            "shifts": shifts,
            "now": timezone.now(),
            "on_duty": actions.on_duty(user.organisation_id),
        },
    )


@requires(Capability.SOS_RESPOND)
@require_POST
def duty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    shift = get_or_404(shifts_for(user), pk=pk)
    run_action(request, lambda: actions.remove_duty(user, shift), _("Duty shift removed."))
    return redirect("hotline:duty")


@requires(Capability.LEAD_VIEW)
@require_http_methods(["GET"])
def lead_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", "")
    leads = leads_for(user).select_related("assigned_to")
    if status in LeadStatus.values:
        leads = leads.filter(status=status)
    else:
        status = ""
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hotline/lead_list.html",
        {
            "page": page,
            "status": status,
            "statuses": LeadStatus.choices,
            "query": urlencode({"status": status} if status else {}),
        },
    )


def _outreach_workers(user: User) -> Any:
    ids = [u.pk for u in actions.outreach_workers(user.organisation_id)]
    return User.objects.filter(pk__in=ids).order_by("username")


def _pass_targets(user: User) -> tuple[Any, Any]:
    # Only targets on the user's side of the training line (the action refuses the rest).
    training = in_training(user.organisation)
    organisations = Organisation.objects.exclude(pk=user.organisation_id).filter(
        is_training=training
    )
    providers = Provider.objects.order_by("name")
    if training:
        providers = providers.filter(organisation__is_training=True)
    return organisations, providers


@requires(Capability.LEAD_VIEW)
@require_http_methods(["GET"])
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    lead = get_lead_for(user, pk)
    version = {"version": lead.version}
    context: dict[str, Any] = {
        "lead": lead,
        "region": region_name(lead.region),
        "flow": actions.LEAD_FLOW[lead.status],
        "statuses": LeadStatus,
        "version_form": VersionForm(initial=version),
        "can_manage": can(user, Capability.LEAD_MANAGE),
        "can_meet": lead.assigned_to_id == user.pk or can(user, Capability.LEAD_MANAGE),
        "can_create_person": can(user, Capability.PERSON_CREATE),
    }
    if context["can_manage"]:
        organisations, providers = _pass_targets(user)
        context["assign_form"] = AssignLeadForm(
            initial={**version, "worker": lead.assigned_to_id},
            workers=_outreach_workers(user),
        )
        context["pass_form"] = PassLeadForm(
            initial=version, organisations=organisations, providers=providers
        )
    return render(request, "hotline/lead_detail.html", context)


def _lead_change(
    request: HttpRequest, lead: Lead, form: VersionForm, change: Any, done: str
) -> HttpResponse:
    if form.is_valid():
        run_action(request, lambda: change(form.cleaned_data), done)
    else:
        messages.error(request, _("Please correct the fields marked below. Nothing was saved."))
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("hotline:lead_detail", pk=lead.pk)


@requires(Capability.LEAD_MANAGE)
@require_POST
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    lead = get_lead_for(user, pk)
    form = AssignLeadForm(request.POST, workers=_outreach_workers(user))
    return _lead_change(
        request,
        lead,
        form,
        lambda data: actions.assign_lead(
            user, lead, worker=data["worker"], expected_version=data["version"]
        ),
        _("Lead assigned."),
    )


@requires(Capability.LEAD_MANAGE)
@require_POST
def lead_pass(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    lead = get_lead_for(user, pk)
    organisations, providers = _pass_targets(user)
    form = PassLeadForm(request.POST, organisations=organisations, providers=providers)
    return _lead_change(
        request,
        lead,
        form,
        lambda data: actions.pass_lead(
            user,
            lead,
            expected_version=data["version"],
            organisation=data["organisation"],
            provider=data["provider"],
            identifies_caller=data["identifies_caller"],
            caller_consent=data["caller_consent"],
        ),
        _("Lead passed on."),
    )


@requires(Capability.LEAD_VIEW)
@require_POST
def lead_met(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    lead = get_lead_for(user, pk)
    return _lead_change(
        request,
        lead,
        VersionForm(request.POST),
        lambda data: actions.record_person_met(user, lead, expected_version=data["version"]),
        _("Recorded: the person was met."),
    )


@requires(Capability.LEAD_MANAGE)
@require_POST
def lead_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    lead = get_lead_for(user, pk)
    return _lead_change(
        request,
        lead,
        VersionForm(request.POST),
        lambda data: actions.close_lead(user, lead, expected_version=data["version"]),
        _("Lead closed."),
    )


def _volume_period(request: HttpRequest) -> tuple[VolumeForm, dt.date, dt.date]:
    today = timezone.localdate()
    default_start = today - dt.timedelta(days=89)
    form = VolumeForm(request.GET or None, initial={"start": default_start, "end": today})
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
def call_volume(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form, start, end = _volume_period(request)
    found = volume.call_volume(user, start, end)
    return render(
        request,
        "hotline/volume.html",
        {
            "form": form,
            "volume": found,
            "by_topic": volume.table(found.by_topic, "topic", _("By topic"), _("Topic")),
            "by_region": volume.table(found.by_region, "region", _("By region"), _("Region")),
            "svg_query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
            "campaigns": campaign_periods(user, start, end),
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
def call_volume_svg(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    _form, start, end = _volume_period(request)
    marked = campaign_periods(user, start, end)
    svg = volume.chart_svg(volume.call_volume(user, start, end), marked)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
