from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """The request came from htmx and wants a fragment, not a whole page."""
    return request.headers.get("HX-Request") == "true"
