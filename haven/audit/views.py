from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability
from haven.audit.models import AuditEntry
from haven.core.decorators import requires, staff_user

PAGE_SIZE = 50


@requires(Capability.AUDIT_VIEW)
@require_http_methods(["GET"])
def audit_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    entries = AuditEntry.objects.filter(organisation_id=user.organisation_id).select_related(
        "actor"
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
