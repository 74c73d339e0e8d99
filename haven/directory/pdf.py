"""The directory as a printable PDF, in any interface language.

Rendering and fonts: haven.core.pdf. A rendered PDF is cached for the day per language
and filter, keyed on the directory's last change, so the public download cannot be used
to keep the server busy.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from haven.core.pdf import render_pdf
from haven.directory.models import DirectoryService, Provider
from haven.directory.search import Criteria, by_place, by_provider, search_services

CACHE_SECONDS = 60 * 60


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def render_directory_pdf(criteria: Criteria, language: str, *, public_only: bool = True) -> bytes:
    """The directory matching `criteria` as PDF bytes, written in `language`."""
    if language not in languages():
        raise ValueError("not an interface language")
    entries = by_provider(search_services(criteria, public_only=public_only), language)
    context = {"places": by_place(entries), "today": timezone.localdate(), "empty": not entries}
    # The public directory is real-world information (training entries are left out):
    # never stamped as practice, whoever downloads it.
    return render_pdf("directory/pdf.html", context, language, training=False)


def _last_change() -> str:
    providers = Provider.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    services = DirectoryService.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return repr((providers["n"], providers["at"], services["n"], services["at"]))


def public_directory_pdf(criteria: Criteria, language: str) -> bytes:
    """`render_directory_pdf` of the public directory, from the cache when nothing changed."""
    key_parts = (language, astuple(criteria), timezone.localdate().isoformat(), _last_change())
    key = "directory-pdf-" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    pdf = render_directory_pdf(criteria, language)
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf
