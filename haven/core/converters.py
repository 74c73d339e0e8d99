from __future__ import annotations

from django.urls import register_converter

from haven.core.pseudonyms import (
    CASE_PREFIX,
    PERSON_PREFIX,
    REFERRAL_PREFIX,
    SCREENING_PREFIX,
    reference_pattern,
)


class _ReferenceConverter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def reference_converter(prefix: str) -> type[_ReferenceConverter]:
    """A path converter that accepts only well-formed references with `prefix`."""
    return type(
        f"{prefix}ReferenceConverter",
        (_ReferenceConverter,),
        {"regex": reference_pattern(prefix)},
    )


def register_reference_converters() -> None:
    """`person_ref`, `case_ref`, `screening_ref`, `referral_ref`: registered once."""
    register_converter(reference_converter(PERSON_PREFIX), "person_ref")
    register_converter(reference_converter(CASE_PREFIX), "case_ref")
    register_converter(reference_converter(SCREENING_PREFIX), "screening_ref")
    register_converter(reference_converter(REFERRAL_PREFIX), "referral_ref")
