"""The campaign pages. Thin: each parses its form, finds the campaign through the scoped
lookup and calls one action (haven.campaigns.actions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.campaigns import actions, calls, storage
from haven.campaigns.access import campaigns_for, get_campaign_for, public_materials
from haven.campaigns.forms import (
    AudienceForm,
    BasicsForm,
    DisseminationForm,
    EditBasicsForm,
    EndForm,
    FindingsForm,
    GettingStartedForm,
    IndicatorForm,
    IndicatorValueForm,
    MaterialForm,
    MessageForm,
    ObjectiveForm,
    RemoveForm,
    VersionedForm,
)
from haven.campaigns.models import (
    Campaign,
    Dissemination,
    Material,
    MaterialKind,
    Message,
    Status,
)
from haven.campaigns.steps import STEPS, complete, start_problems
from haven.core.decorators import requires, staff_user
from haven.core.feedback import form_page, run_action
from haven.core.places import region_name

PAGE_SIZE = 20
STEP_PAGE = "campaigns/step.html"


def _campaign(user: User, pk: int) -> Campaign:
    """The campaign with everything its pages show, in a fixed number of queries."""
    found = (
        campaigns_for(user)
        .prefetch_related(
            "objectives",
            Prefetch("messages", queryset=Message.objects.select_related("approved_by")),
            "indicators",
            "materials",
            Prefetch(
                "disseminations",
                queryset=Dissemination.objects.select_related("message", "material"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _steps(campaign: Campaign, current: int = 0) -> list[dict[str, Any]]:
    done = complete(campaign)
    return [
        {
            "number": step.number,
            "title": step.title,
            "url": reverse(step.url_name, args=[campaign.pk]),
            "complete": done[step.number],
            "current": step.number == current,
        }
        for step in STEPS
    ]


def _version(campaign: Campaign) -> dict[str, int]:
    return {"version": campaign.version}


def _step_page(
    request: HttpRequest,
    campaign: Campaign,
    form: forms.Form,
    save: Callable[[], object],
    *,
    step: int,
    title: str,
    done: str,
    template: str = STEP_PAGE,
    intro: str = "",
    submit: str = "",
    back: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page of one campaign with the step indicator and one form."""
    here = back or request.path
    page = {
        "campaign": campaign,
        "steps": _steps(campaign, step),
        "title": title,
        "intro": intro,
        "submit": submit,
        "regions": [region_name(code) for code in campaign.regions],
        **(context or {}),
    }
    return form_page(request, form, save, done=done, back=here, template=template, context=page)


def _regions(codes: list[str]) -> str:
    return ", ".join(region_name(code) for code in codes)


# --- List, new, overview --------------------------------------------------------------


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "HEAD"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    page = Paginator(campaigns_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/list.html", {"page": page})


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = BasicsForm(request.POST or None)

    def save() -> Campaign:
        data = form.cleaned_data
        return actions.create_campaign(
            user,
            title=data["title"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            success=data["success"],
        )

    return form_page(
        request,
        form,
        save,
        done=_("Campaign created. Walk through its six steps."),
        back=reverse("campaigns:list"),
        template="campaigns/new.html",
        context={},
        then=lambda campaign: reverse("campaigns:getting_started", args=[campaign.pk]),
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(staff_user(request), pk)
    context = {
        "campaign": campaign,
        "steps": _steps(campaign),
        "problems": start_problems(campaign) if campaign.status == Status.DRAFT else [],
        "regions": _regions(campaign.regions),
        "start_form": VersionedForm(initial=_version(campaign)),
    }
    return render(request, "campaigns/detail.html", context)


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def basics(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    initial = {
        "title": campaign.title,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "success": campaign.success,
        **_version(campaign),
    }
    form = EditBasicsForm(request.POST or None, initial=initial)

    def save() -> object:
        data = form.cleaned_data
        return actions.edit_basics(
            user,
            campaign,
            expected_version=data["version"],
            title=data["title"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            success=data["success"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=0,
        title=_("Title, dates and success"),
        intro=_("A campaign has a defined end and a definition of success."),
        done=_("Saved."),
        back=reverse("campaigns:detail", args=[campaign.pk]),
    )


# --- The six steps --------------------------------------------------------------------


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def getting_started(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    names = ("situation", "partners", "budget", "risks", "harm_to_people_shown")
    initial = {name: getattr(campaign, name) for name in names}
    form = GettingStartedForm(request.POST or None, initial={**initial, **_version(campaign)})

    def save() -> object:
        data = form.cleaned_data
        values = {name: data[name] for name in names}
        return actions.save_getting_started(
            user, campaign, expected_version=data["version"], **values
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=1,
        title=_("Getting started"),
        intro=_(
            "What research found about the situation, who works with you, the budget, and "
            "the risks, including harm to the people shown."
        ),
        done=_("Step 1 saved."),
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def objectives(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = ObjectiveForm(request.POST or None, initial=_version(campaign))

    def save() -> object:
        data = form.cleaned_data
        return actions.add_objective(
            user,
            campaign,
            expected_version=data["version"],
            change=data["change"],
            for_whom=data["for_whom"],
            by_when=data["by_when"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=2,
        title=_("Objectives"),
        intro=_("Each objective says what changes, for whom, and by when."),
        done=_("Objective added."),
        submit=_("Add the objective"),
        template="campaigns/objectives.html",
    )


def _item_post(
    request: HttpRequest,
    pk: int,
    action: Callable[..., object],
    *,
    done: str,
    then: str,
) -> HttpResponse:
    """A POST that changes one row of the campaign (remove, approve): back to its step."""
    user = staff_user(request)
    campaign = get_campaign_for(user, pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date. Nothing was changed."))
    else:
        data = form.cleaned_data
        run_action(
            request,
            lambda: action(user, campaign, data["item"], expected_version=data["version"]),
            done,
        )
    return redirect(then, campaign.pk)


@requires(Capability.CAMPAIGN_EDIT)
@require_POST
def objective_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_post(
        request,
        pk,
        actions.remove_objective,
        done=_("Objective removed."),
        then="campaigns:objectives",
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def audience(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    initial = {
        "audience": campaign.audience,
        "country": campaign.country,
        "regions": campaign.regions,
        "languages": campaign.languages,
        "other_languages": campaign.other_languages,
        "literacy": campaign.literacy,
        "media_used": campaign.media,
        **_version(campaign),
    }
    form = AudienceForm(request.POST or None, initial=initial, country=campaign.country)

    def save() -> object:
        data = form.cleaned_data
        return actions.save_audience(
            user,
            campaign,
            expected_version=data["version"],
            audience=data["audience"],
            country=data["country"],
            regions=data["regions"],
            languages=data["languages"],
            other_languages=data["other_languages"],
            literacy=data["literacy"],
            media=data["media_used"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=3,
        title=_("Audience"),
        intro=_(
            "Who the campaign is for, where they are, what they speak and read, and the "
            "media they use."
        ),
        done=_("Step 3 saved."),
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def messages_step(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = MessageForm(request.POST or None, initial=_version(campaign))

    def save() -> object:
        data = form.cleaned_data
        return actions.add_message(
            user,
            campaign,
            expected_version=data["version"],
            language=data["language"],
            text=data["text"],
            pretest=data["pretest"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=4,
        title=_("Messages"),
        intro=_(
            "Draft each message in the audience's languages, pre-test it with people of the "
            "audience, then approve it. A message goes out only once approved."
        ),
        done=_("Message draft added."),
        submit=_("Add the draft"),
        template="campaigns/messages.html",
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_POST
def message_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_post(
        request,
        pk,
        actions.approve_message,
        done=_("Message approved."),
        then="campaigns:messages",
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def dissemination(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = DisseminationForm(request.POST or None, initial=_version(campaign), campaign=campaign)

    def save() -> object:
        data = form.cleaned_data
        return actions.add_dissemination(
            user,
            campaign,
            expected_version=data["version"],
            message_pk=data["message"],
            channel=data["channel"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            regions=data["regions"],
            material_pk=data["material"],
            quantity=data["quantity"],
        )

    rows = [(item, _regions(item.regions)) for item in campaign.disseminations.all()]
    return _step_page(
        request,
        campaign,
        form,
        save,
        step=5,
        title=_("Dissemination"),
        intro=_(
            "Which approved message goes out, through which channel, when, where, and with "
            "which materials."
        ),
        done=_("Dissemination added."),
        submit=_("Add"),
        template="campaigns/dissemination.html",
        context={"rows": rows},
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = IndicatorForm(request.POST or None, initial=_version(campaign))

    def save() -> object:
        data = form.cleaned_data
        return actions.add_indicator(
            user,
            campaign,
            expected_version=data["version"],
            kind=data["kind"],
            description=data["description"],
            baseline=data["baseline"],
            target=data["target"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=6,
        title=_("Monitoring and assessing impact"),
        intro=_(
            "Indicators with their baseline and target: reach, hotline calls and their "
            "topics, requests for information, knowledge and attitude surveys. Record each "
            "latest value, and what the evaluation found."
        ),
        done=_("Indicator added."),
        submit=_("Add the indicator"),
        template="campaigns/monitoring.html",
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def indicator_value(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    indicator = next((i for i in campaign.indicators.all() if i.pk == item), None)
    if indicator is None:
        raise Http404
    initial = {"latest": indicator.latest, "latest_on": indicator.latest_on}
    form = IndicatorValueForm(request.POST or None, initial={**initial, **_version(campaign)})

    def save() -> object:
        data = form.cleaned_data
        return actions.record_indicator_value(
            user,
            campaign,
            indicator.pk,
            expected_version=data["version"],
            latest=data["latest"],
            latest_on=data["latest_on"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=6,
        title=_("Latest value"),
        intro=indicator.description,
        done=_("Latest value recorded."),
        back=reverse("campaigns:monitoring", args=[campaign.pk]),
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    initial = {"findings": campaign.findings, **_version(campaign)}
    form = FindingsForm(request.POST or None, initial=initial)

    def save() -> object:
        data = form.cleaned_data
        return actions.save_findings(
            user, campaign, expected_version=data["version"], findings=data["findings"]
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=6,
        title=_("Evaluation findings"),
        intro=_("What the evaluation found: what changed, for whom, and what did not work."),
        done=_("Findings saved."),
        back=reverse("campaigns:monitoring", args=[campaign.pk]),
    )


# --- Status ---------------------------------------------------------------------------


@requires(Capability.CAMPAIGN_EDIT)
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = get_campaign_for(user, pk)
    form = VersionedForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data["version"]
        run_action(
            request,
            lambda: actions.start_campaign(user, campaign, expected_version=version),
            _("The campaign is running."),
        )
    return redirect("campaigns:detail", campaign.pk)


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = EndForm(request.POST or None, initial=_version(campaign))

    def save() -> object:
        data = form.cleaned_data
        return actions.end_campaign(
            user,
            campaign,
            expected_version=data["version"],
            no_values_reason=data["no_values_reason"],
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=0,
        title=_("End the campaign"),
        intro=_(
            "Before a campaign ends, record the latest value of each indicator, or say why "
            "some have none: evaluation is too often the weakest part."
        ),
        done=_("The campaign has ended."),
        submit=_("End the campaign"),
        back=reverse("campaigns:detail", args=[campaign.pk]),
        template="campaigns/end.html",
    )


# --- Materials ------------------------------------------------------------------------


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "POST"])
def materials(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    form = MaterialForm(request.POST or None, request.FILES or None, initial=_version(campaign))

    def save() -> object:
        data = form.cleaned_data
        upload = data["file"]
        return actions.add_material(
            user,
            campaign,
            expected_version=data["version"],
            title=data["title"],
            language=data["language"],
            public=data["public"],
            filename=upload.name or "",
            # One byte more than allowed is enough for the action to refuse it as too large.
            content=upload.read(storage.MAX_BYTES + 1),
        )

    return _step_page(
        request,
        campaign,
        form,
        save,
        step=0,
        title=_("Materials"),
        intro=_(
            "Posters, leaflets, images and audio of the campaign. Public ones are listed in "
            "the public directory's information section once the campaign runs."
        ),
        done=_("Material added."),
        submit=_("Upload"),
        template="campaigns/materials.html",
    )


@requires(Capability.CAMPAIGN_EDIT)
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_post(
        request,
        pk,
        actions.remove_material,
        done=_("Material removed."),
        then="campaigns:materials",
    )


def _file_response(material: Material) -> HttpResponse:
    try:
        body = storage.read(material.token)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(body, content_type=storage.CONTENT_TYPES[MaterialKind(material.kind)])
    suffix = storage.SUFFIXES[MaterialKind(material.kind)][0]
    response["Content-Disposition"] = f'attachment; filename="material-{material.pk}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "HEAD"])
def material_file(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    campaign = get_campaign_for(staff_user(request), pk)
    material = campaign.materials.filter(pk=item).first()
    if material is None:
        raise Http404
    response = _file_response(material)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Hotline calls --------------------------------------------------------------------


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "HEAD"])
def call_chart(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    campaign = _campaign(user, pk)
    context = {
        "campaign": campaign,
        "steps": _steps(campaign),
        "regions": _regions(campaign.regions),
        "chart": calls.campaign_calls(user, campaign),
    }
    return render(request, "campaigns/calls.html", context)


@requires(Capability.CAMPAIGN_EDIT)
@require_http_methods(["GET", "HEAD"])
def call_chart_svg(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    svg = calls.chart_svg(user, get_campaign_for(user, pk))
    if svg is None:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public ---------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "HEAD"])
def information(request: HttpRequest) -> HttpResponse:
    """The public directory's information section: public materials of running or ended
    campaigns, the visitor's language first. Nothing else of a campaign is shown."""
    language = get_language() or ""
    found = list(public_materials().order_by("title", "pk"))
    mine = [m for m in found if m.language == language]
    others = [m for m in found if m.language != language]
    return render(request, "campaigns/information.html", {"mine": mine, "others": others})


@login_not_required
@require_http_methods(["GET", "HEAD"])
def public_material(request: HttpRequest, token: str) -> HttpResponse:
    material = public_materials().filter(token=token).first()
    if material is None:
        raise Http404
    return _file_response(material)
