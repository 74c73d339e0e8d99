"""A jurisdiction's names in the page's language: `{{ jurisdiction|local_name }}`.

Works on a profile and on its steps (`{{ jurisdiction.first_decision|local_name }}`).
The profiles stay free of Django; the translated names are data in their TOML files.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from haven.identification.jurisdictions import Jurisdiction, Step

register = template.Library()


@register.filter
def local_name(value: Jurisdiction | Step) -> str:
    return value.name_in(get_language() or "en")
