from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class NoStoreMiddleware:
    """Pages for signed-in users are never cached: phones are often shared."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


def permissions_policy() -> str:
    """The Permissions-Policy header: each feature in settings.PERMISSIONS_POLICY allowed
    for the origins listed (none: refused everywhere, in frames too)."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})"
        for feature, origins in settings.PERMISSIONS_POLICY.items()
    )


class PermissionsPolicyMiddleware:
    """Refuse camera, microphone, location, payment, USB and the other powerful browser
    features on every response, error pages included. First in MIDDLEWARE so that the
    responses of every other middleware carry it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", permissions_policy())
        return response


class RequestSizeMiddleware:
    """Refuse a request body larger than HAVEN_MAX_REQUEST_BYTES by its announced length
    (413), before anything reads it: Django's own limits skip file uploads, which would
    otherwise be spooled to disk whole. A reverse proxy should cap bodies as well."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a malformed length as no body at all
        if length > settings.HAVEN_MAX_REQUEST_BYTES:
            return HttpResponse(
                _("The request is too large."),
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
