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
from django.utils.translation import gettext

from haven.core.training import serving_training

# Every page of a training organisation's PDF says so, in its margin and across the top.
TRAINING_STYLE = (
    "<style>@page{@top-center{content:'%(mark)s';color:#b00020;font-weight:bold}}"
    ".training-mark{border:2px solid #b00020;color:#b00020;font-weight:bold;"
    "text-align:center;padding:4pt;margin-bottom:8pt}</style>"
)


def _mark_training(html: str) -> str:
    mark = gettext("TRAINING: practice record, not real")
    style = TRAINING_STYLE % {"mark": mark.replace("'", "")}
    head, found, rest = html.partition("</head>")
    html = head + style + found + rest if found else style + html
    start = html.find("<body")
    if start == -1:
        return f'<p class="training-mark">{mark}</p>' + html
    end = html.index(">", start) + 1
    return html[:end] + f'<p class="training-mark">{mark}</p>' + html[end:]


def render_pdf(
    template: str, context: dict[str, Any], language: str, *, training: bool | None = None
) -> bytes:
    """The document as PDF; stamped TRAINING on every page when it is made for a training
    organisation (by default: when the request being served is one's)."""
    with translation.override(language):
        html = str(render_to_string(template, {**context, "LANGUAGE_CODE": language}))
        if serving_training.get() if training is None else training:
            html = _mark_training(html)
    return bytes(weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())
