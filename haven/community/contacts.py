"""Does a piece of free text hold a phone number or an e-mail address?

Community reports must never carry a way to reach a person. Digits are read in any script
(Thai, Khmer, Burmese and the rest: every Unicode decimal digit), grouped
however people write numbers (spaces, dashes, dots, brackets, a leading +).
"""

from __future__ import annotations

import re
import unicodedata

# Eight digits or more in one run of digits and separators: Thai, Cambodian, Vietnamese,
# Indonesian, Burmese and Philippine phone numbers, with or without the country code.
# Shorter numbers (a count, a year, a house number) pass.
MIN_PHONE_DIGITS = 8
_NUMBER_RUN = re.compile(r"\+?\d(?:[\d\s.\-()/]*\d)?")
# A date is not a phone number: 2026-12-05, 05/12/2026, 5.12.2026.
_DATE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
_EMAIL = re.compile(r"[^\s@]+\s*@\s*[^\s@]+\.[^\s@]+")


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(char)) if char.isdecimal() else char
        for char in unicodedata.normalize("NFKC", text)
    )


def has_phone_number(text: str) -> bool:
    for match in _NUMBER_RUN.finditer(_ascii_digits(text)):
        run = match.group().strip()
        digits = sum(char.isdigit() for char in run)
        if digits >= MIN_PHONE_DIGITS and not _DATE.match(run):
            return True
        if run.startswith("+") and digits >= 6:  # +66 ..., +855 ...: a number abroad
            return True
    return False


def has_email_address(text: str) -> bool:
    return bool(_EMAIL.search(unicodedata.normalize("NFKC", text)))
