"""The release register: ask for an anonymised release, approve another person's, and
download an approved one. The rules live in haven.stats.actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.stats import actions
from haven.stats.forms import MonthField
from haven.stats.models import Release, ReleaseKind, ReleaseStatus
from haven.stats.summary import last_day


class ReleaseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of release"), choices=ReleaseKind.choices)
    k = forms.IntegerField(
        label=gettext_lazy("k: the fewest people any combination may describe"),
        initial=11,
        min_value=actions.MIN_K,
        max_value=actions.MAX_K,
    )
    epsilon = forms.FloatField(
        label=gettext_lazy("Epsilon: the privacy budget (smaller is more private)"),
        initial=1.0,
        min_value=0.01,
        max_value=10,
    )
    start = MonthField(label=gettext_lazy("From (month)"))
    end = MonthField(label=gettext_lazy("To (month)"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    version = forms.IntegerField(min_value=1)


READERS = (Capability.RELEASE_REQUEST, Capability.RELEASE_APPROVE)


@requires(*READERS)
@require_http_methods(["GET"])
def release_list(request: HttpRequest) -> HttpResponse:
    actor = staff_user(request)
    register = actions.visible(actor).select_related("requested_by", "decided_by")[:100]
    return render(
        request,
        "statistics/releases.html",
        {
            "releases": register,
            "may_request": can(actor, Capability.RELEASE_REQUEST),
            "may_approve": can(actor, Capability.RELEASE_APPROVE),
            "awaiting": ReleaseStatus.AWAITING,
            "approved": ReleaseStatus.APPROVED,
        },
    )


@requires(Capability.RELEASE_REQUEST)
@require_http_methods(["GET", "POST"])
def request_release(request: HttpRequest) -> HttpResponse:
    actor = staff_user(request)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        end = last_day(data["end"]) if data["end"] else None
        try:
            actions.prepare(
                actor,
                kind=data["kind"],
                k=data["k"],
                epsilon=data["epsilon"],
                start=data["start"],
                end=end,
            )
        except RefusedError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The release is prepared. A second person must approve it.")
            )
            return redirect("statistics:releases")
    status = 400 if request.method == "POST" else 200
    return render(request, "statistics/release_new.html", {"form": form}, status=status)


def _release(request: HttpRequest, pk: int) -> Release:
    found: Release | None = actions.visible(staff_user(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires(Capability.RELEASE_APPROVE)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect("statistics:releases")
    try:
        actions.decide(
            staff_user(request),
            release,
            approve=form.cleaned_data["decision"] == "approve",
            expected_version=form.cleaned_data["version"],
        )
    except PermissionDenied:
        raise Http404 from None
    except RefusedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your decision is recorded."))
    return redirect("statistics:releases")


@requires(*READERS)
@require_http_methods(["GET"])
def download(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    try:
        content = actions.content_for(staff_user(request), release)
    except PermissionDenied:
        raise Http404 from None
    except RefusedError as error:
        messages.error(request, error.message)
        return redirect("statistics:releases")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{release.filename}"'
    return response
