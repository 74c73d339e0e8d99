"""Obviously fictional HTCDS rows for `haven bench import` (never real people): varied
codes from every list, fictional names, dates and numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from haven.interop import htcds

COUNTRIES = ("TH", "KH", "MM", "VN", "LA", "ID", "MY", "PH")
# Consonants that keep apart in Haven's sound keys (haven.people.names.sound_key).
CONSONANTS = "bcdfgklmpstw"


def given_name(number: int) -> str:
    """A made-up given name per number that no other number's sounds like, so the bench
    load has no possible duplicates (digits would be dropped from the name keys)."""
    letters, previous = [], ""
    for position in range(7):
        number, digit = divmod(number, len(CONSONANTS) - 1)
        consonant = [c for c in CONSONANTS if c != previous][digit]
        letters.append(consonant + "aeiou"[position % 5])
        previous = consonant
    return "".join(letters).capitalize()


def rows(count: int, *, seed: int = 13) -> bytes:
    """`count` fictional cases as an HTCDS CSV file with identity columns."""
    rng = random.Random(seed)  # noqa: S311 - fictional load, not security
    columns = htcds.columns(identity=True)
    choices = {c.name: sorted(c.kind.codes) for c in columns if c.kind.codes}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    today = dt.date.today()
    for n in range(count):
        values = {
            "prs_FirstName": given_name(n),
            "prs_SecondName": "Benchperson",
            "prs_Birthdate": (today - dt.timedelta(days=rng.randint(6000, 20000))).isoformat(),
            "prs_Citizenship": rng.choice(COUNTRIES),
            "vic_LocationOfExploitation": rng.choice(COUNTRIES),
            "vic_AgeWhenTrafficked": str(rng.randint(12, 50)),
            "hvn_OpenedOn": (today - dt.timedelta(days=rng.randint(0, 1500))).isoformat(),
            "cas_Status": rng.choice(("Active", "Active", "FollowUp", "Closed")),
        }
        for name, options in choices.items():
            if name not in values and name != "cas_ReasonForCaseClosure" and rng.random() < 0.7:
                values[name] = rng.choice(options)
        writer.writerow([values.get(c.name, "") for c in columns])
    return out.getvalue().encode("utf-8")
