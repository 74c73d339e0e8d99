"""Documents as PDF, in any interface language.

Khmer, Burmese and Thai need real shaping (stacked consonants, vowel reordering):
WeasyPrint shapes with HarfBuzz, and templates name the Noto font for each script by
including core/pdf_fonts.css in their style.
"""

from __future__ import annotations

from typing import Any

import weasyprint  # type: ignore[import-untyped]
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    return bytes(weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())
