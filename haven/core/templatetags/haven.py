from __future__ import annotations

from django import template

from haven.core.reference import DOCUMENT_TYPES, country_name, language_name

register = template.Library()


@register.filter
def country_names(codes: list[str]) -> str:
    return ", ".join(country_name(code) for code in codes)


@register.filter
def language_names(codes: list[str]) -> str:
    return ", ".join(language_name(code) for code in codes)


@register.filter
def document_type(code: str) -> str:
    return str(dict(DOCUMENT_TYPES).get(code, code))


@register.filter
def country(code: str) -> str:
    return country_name(code) if code else ""
