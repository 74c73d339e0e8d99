"""Screenings made offline with the XLSForm come back through the screening actions with
the same verdict as the same answers given in Haven, refuse another ruleset unless told to
re-assess, and import nothing when one submission is wrong."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import haven.screening_engine
from haven.accounts.roles import Role
from haven.interop import submissions, xlsform
from haven.screening import engine
from haven.screening.models import Screening, ScreeningStatus
from haven.screening_engine import default_catalogue
from tests.personas import HavenTestCase

CASES = Path(haven.screening_engine.__file__).parent / "worked_cases.toml"
READY = {
    "ready_private_space": "yes",
    "ready_rights_explained": "yes",
    "ready_may_decline_explained": "yes",
    "ready_consent": "consent",
    "ready_medical_checked": "yes",
    "ready_medical_urgent": "no",
}


def worked_cases() -> list[dict[str, Any]]:
    return tomllib.loads(CASES.read_text(encoding="utf-8"))["case"]


def submission(case: dict[str, Any]) -> dict[str, str]:
    """A worked case as ODK or Kobo exports its submission (group paths included)."""
    age = case.get("age_at_events")
    child = bool(case.get("possibly_child")) or (age is not None and age < 18)
    record = {
        **{f"readiness/{k}": v for k, v in READY.items()},
        "profile/age_at_events": "" if age is None else str(age),
        "profile/possibly_child": "yes" if case.get("possibly_child") else "no",
        "profile/exploitation": " ".join(case.get("exploitation", [])),
        "profile/interview_language": "en",
        xlsform.RULESET_FIELD: default_catalogue().ruleset.version,
        "_id": "1",
    }
    suffix = xlsform.CHILD_SUFFIX if child else ""
    for answer in ("yes", "no"):
        for ident in case.get(answer, []):
            record[f"topic_x/{ident}{suffix}"] = answer
    return record


def as_csv(records: list[dict[str, str]]) -> bytes:
    header = list(dict.fromkeys(k for r in records for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


class SubmissionTests(HavenTestCase):
    def screener(self) -> Any:
        return self.world.user("A", Role.SCREENER)

    def test_every_worked_case_gives_the_same_verdict_as_in_haven(self) -> None:
        cases = worked_cases()
        survey, _choices, _settings = xlsform.rows()
        in_form = {row["name"] for row in survey}
        for case in cases:  # every field answered is a question of the exported form
            fields = {k.rsplit("/", 1)[-1] for k in submission(case)} - {"_id"}
            self.assertEqual(fields - in_form, set(), case["id"])
        report = submissions.import_submissions(
            self.screener(), as_csv([submission(c) for c in cases]), "export.csv"
        )
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.created), len(cases))
        for case, (reference, outcome) in zip(cases, report.created, strict=True):
            with self.subTest(case=case["id"]):
                self.assertEqual(outcome, case["expected"]["outcome"])
                screening = Screening.objects.get(reference=reference)
                # Left for the screener's own judgement, as in the web interview; an
                # urgent medical need suspends it there as here.
                urgent = "protection_urgent_medical_need" in case.get("yes", [])
                expected = ScreeningStatus.SUSPENDED if urgent else ScreeningStatus.IN_PROGRESS
                self.assertEqual(screening.status, expected)
                web = engine.evaluate(screening.profile, screening.answers, "en", [])
                self.assertEqual(web.outcome, outcome)
                self.assertEqual(sorted(web.flags), sorted(case["expected"]["flags"]))

    def test_json_exports_from_kobo_and_odk_central(self) -> None:
        record = submission(worked_cases()[0])
        for body in ({"results": [record]}, {"value": [record]}, [record]):
            report = submissions.import_submissions(
                self.screener(), json.dumps(body).encode(), "export.json"
            )
            self.assertEqual((report.problems, len(report.created)), ([], 1))

    def test_another_ruleset_only_when_re_assessed_and_the_screening_says_so(self) -> None:
        record = {**submission(worked_cases()[0]), xlsform.RULESET_FIELD: "haven-2025.01"}
        before = Screening.objects.count()
        refused = submissions.import_submissions(self.screener(), as_csv([record]), "x.csv")
        self.assertEqual([p.field for p in refused.problems], [xlsform.RULESET_FIELD])
        self.assertEqual(Screening.objects.count(), before)
        taken = submissions.import_submissions(
            self.screener(), as_csv([record]), "x.csv", reassess=True
        )
        ((reference, _outcome),) = taken.created
        screening = Screening.objects.get(reference=reference)
        self.assertEqual(screening.readiness["offline_ruleset"], "haven-2025.01")

    def test_one_bad_submission_imports_nothing(self) -> None:
        good = submission(worked_cases()[0])
        bad = {**submission(worked_cases()[1]), "topic_x/excessive_working_hours": "maybe"}
        before = Screening.objects.count()
        report = submissions.import_submissions(self.screener(), as_csv([good, bad]), "x.csv")
        self.assertEqual(
            [(p.submission, p.field) for p in report.problems], [(2, "excessive_working_hours")]
        )
        self.assertEqual(Screening.objects.count(), before)

    def test_attached_by_reference_only_to_a_person_the_screener_may_see(self) -> None:
        record = submission(worked_cases()[0])
        mine = {**record, xlsform.PERSON_REFERENCE: self.world.people["A"].reference}
        other = {**record, xlsform.PERSON_REFERENCE: self.world.people["B"].reference}
        refused = submissions.import_submissions(self.screener(), as_csv([other]), "x.csv")
        self.assertEqual([p.field for p in refused.problems], [xlsform.PERSON_REFERENCE])
        taken = submissions.import_submissions(self.screener(), as_csv([mine]), "x.csv")
        ((reference, _outcome),) = taken.created
        screening = Screening.objects.get(reference=reference)
        self.assertEqual(screening.person_id, self.world.people["A"].pk)

    def test_the_page_and_the_form_download(self) -> None:
        client = self.client_for("A", Role.SCREENER)
        download = client.get(reverse("interop:xlsform"))
        self.assertEqual(download.status_code, 200)
        self.assertIn("spreadsheetml", download["Content-Type"])
        upload = SimpleUploadedFile(
            "export.csv", as_csv([submission(worked_cases()[0])]), content_type="text/csv"
        )
        page = client.post(reverse("interop:submissions"), {"file": upload})
        self.assertContains(page, "1 screening imported")
        self.assertContains(page, "Presumed victim")
        refused = self.client_for("A", Role.ANALYST).get(reverse("interop:submissions"))
        self.assertEqual(refused.status_code, 403)

    def test_only_those_who_screen(self) -> None:
        for role in (Role.ANALYST, Role.ORG_ADMIN, Role.TRANSLATOR):
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                submissions.import_submissions(self.world.user("A", role), b"a\n1\n", "x.csv")
