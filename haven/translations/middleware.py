from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from haven.translations import live


class TranslationRefreshMiddleware:
    """Pick up translation reviews and accepted wordings made in another process."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        live.refresh()
        return self.get_response(request)
