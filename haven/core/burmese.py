"""Burmese typed in the Zawgyi font encoding instead of Unicode.

Zawgyi reuses Unicode's Myanmar code points with other meanings, so text typed with it
looks right on a Zawgyi phone but is garbled elsewhere and never matches a search in
Unicode. Detected with Google's myanmar-tools model, converted with python-myanmar's
rules; the person typing decides (Haven offers, never converts silently).
"""

from __future__ import annotations

import functools
import re

from myanmar import converter
from myanmartools import ZawgyiDetector

MYANMAR = re.compile(r"[\u1000-\u109f]")
# The detector's own advice: above 0.95 it is Zawgyi, below 0.05 Unicode.
THRESHOLD = 0.95


@functools.cache
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


def looks_like_zawgyi(text: str) -> bool:
    """The detector is sure, and reading the text as Zawgyi changes it (on short texts the
    detector alone is often wrong, and text that reads the same either way is harmless)."""
    if not MYANMAR.search(text):
        return False
    if _detector().get_zawgyi_probability(text) <= THRESHOLD:
        return False
    return to_unicode(text) != text


def to_unicode(text: str) -> str:
    return str(converter.convert(text, "zawgyi", "unicode"))
