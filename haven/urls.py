from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from haven.accounts.urls import auth_urlpatterns
from haven.api.v1 import api, not_in_the_api
from haven.core.converters import register_reference_converters

register_reference_converters()


def _open(patterns: list[Any]) -> list[Any]:
    """The API's views answer tokens, not sessions: LoginRequiredMiddleware lets them
    through and the API refuses a call without a valid token itself (401)."""
    for pattern in patterns:
        login_not_required(pattern.callback)
    return patterns


api_patterns, api_app, api_namespace = api.urls

urlpatterns = [
    path("", include("haven.core.urls")),
    path("accounts/", include("haven.accounts.urls")),
    path("accounts/", include(auth_urlpatterns)),
    path("people/", include("haven.people.urls")),
    path("cases/", include("haven.cases.urls")),
    path("cases/", include("haven.identification.urls")),
    path("cases/", include("haven.assistance.urls")),
    path("", include("haven.care.urls")),
    path("cases/", include("haven.justice.urls")),
    path("audit/", include("haven.audit.urls")),
    path("directory/", include("haven.directory.urls")),
    path("referrals/", include("haven.referrals.urls")),
    path("screenings/", include("haven.screening.urls")),
    path("statistics/", include("haven.stats.urls")),
    path("interop/", include("haven.interop.urls")),
    path("translations/", include("haven.translations.urls")),
    path("rights/", include("haven.rights.urls")),
    path("hotline/", include("haven.hotline.urls")),
    path("training/", include("haven.training.urls")),
    path("api/v1/", include((_open(api_patterns), api_app), namespace=api_namespace)),
    re_path(r"^api/v1/", not_in_the_api, name="api-v1-unknown"),
    path("api/", include("haven.api.urls")),
    path("language/", login_not_required(set_language), name="set_language"),
]

handler400 = "haven.core.views.bad_request"
handler403 = "haven.core.views.permission_denied"
handler404 = "haven.core.views.page_not_found"
handler500 = "haven.core.views.server_error"
