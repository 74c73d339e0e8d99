from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability
from haven.cases.access import get_case_for
from haven.cases.pages import case_form_page
from haven.core.decorators import requires, staff_user
from haven.identification import actions, jurisdictions
from haven.identification.forms import StatusChangeForm
from haven.screening.access import screenings_for
from haven.screening.models import ScreeningStatus


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
        context={"jurisdiction": jurisdictions.get(case.jurisdiction)},
    )
