"""A person's right to their data (the subject export) and retention (policy, legal hold,
`haven retention apply`): the actions and commands called directly, then the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation

from haven.accounts.roles import Capability, Role
from haven.assistance.models import SupportObjective
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import open_case
from haven.cases.models import Case
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.people.access import people_for
from haven.people.actions import create_person, search_people
from haven.people.models import Person, PersonIndex
from haven.referrals.models import Referral
from haven.rights import actions, holdings, retention
from haven.rights.models import (
    AnonymisedCase,
    AnonymisedPerson,
    LegalHold,
    RetentionOutcome,
    RetentionPolicy,
)
from haven.rights.retention import apply_retention
from haven.stats.facts import refresh
from haven.stats.models import PersonFact
from tests.closed_cases import close, everything_about
from tests.personas import HavenTestCase

LATER = timezone.localdate() + dt.timedelta(days=366 * 3)


def _audit_count() -> int:
    return AuditEntry.objects.count()


class ExportCompletenessTests(HavenTestCase):
    def test_every_key_to_a_person_or_case_is_exported_or_says_why_not(self) -> None:
        linked = {(link.model, link.field) for link in holdings.LINKS}
        keys = set(holdings.person_and_case_keys())
        missing = keys - linked - set(holdings.NOT_HELD)
        self.assertEqual(missing, set(), "add these to holdings.LINKS or holdings.NOT_HELD")
        self.assertEqual((linked | set(holdings.NOT_HELD)) - keys, set(), "stale entries")
        self.assertEqual(linked & set(holdings.NOT_HELD), set())

    def test_every_label_in_the_pdf_is_in_the_persons_language(self) -> None:
        person = self.world.people["A"]

        def labels(language: str) -> list[str]:
            with translation.override(language):
                sections = holdings.sections_of(person)
                own = [item.label for item in holdings.describe(person)]
            return own + [item.label for s in sections for row in s.rows for item in row]

        english, thai = labels("en"), labels("th")
        self.assertEqual(len(english), len(thai))
        same = {e for e, t in zip(english, thai, strict=True) if e == t}
        self.assertEqual(same, set(), "give these fields a translated label (holdings.LABELS)")

    def test_labels_name_fields_that_exist(self) -> None:
        from django.apps import apps  # noqa: PLC0415

        names = {
            f.name
            for link in holdings.LINKS
            for f in [
                *apps.get_model(link.model)._meta.concrete_fields,
                *apps.get_model(link.model)._meta.many_to_many,
            ]
        }
        self.assertEqual(set(holdings.LABELS) - names, set())

    def test_withheld_fields_exist(self) -> None:
        from django.apps import apps  # noqa: PLC0415

        for label, name in holdings.WITHHELD:
            with self.subTest(field=f"{label}.{name}"):
                apps.get_model(label)._meta.get_field(name)


class SubjectExportTests(HavenTestCase):
    def test_export_holds_the_persons_records_and_names_no_staff(self) -> None:
        supervisor = self.world.user("A", Role.SUPERVISOR)
        person, case = self.world.people["A"], self.world.cases["A"]
        Case.objects.filter(pk=case.pk).update(guardian="Guardian Other Person")
        before = _audit_count()
        export = actions.export_subject(supervisor, person, "en", pdf=False)
        document = json.loads(export.json)
        text = export.json.decode()
        self.assertEqual(document["person"]["full_name"], "Fixture Person A")
        self.assertEqual(document["records"]["cases.Case"][0]["reference"], case.reference)
        self.assertEqual(document["records"]["cases.Case"][0]["summary"], "Fixture case notes")
        for label in ("screening.Screening", "referrals.Consent", "referrals.Referral"):
            self.assertTrue(document["records"][label], label)
        self.assertEqual(
            document["records"]["assistance.SupportObjective"][0]["objectives"],
            "Fixture objective",
        )
        # Staff by role and organisation; never a username; no other person's identity.
        self.assertEqual(
            document["records"]["cases.Case"][0]["created_by"],
            {"role": "Case worker", "organisation": "Test organisation A"},
        )
        for user in self.world.users.values():
            self.assertNotIn(f'"{user.username}"', text)
        self.assertNotIn("Guardian Other Person", text)
        self.assertNotIn("Fixture Person B", text)
        entries = AuditEntry.objects.filter(seq__gt=before)
        self.assertEqual(
            list(entries.values_list("action", "object_ref", "changed_fields")),
            [(Action.SUBJECT_EXPORT, person.reference, [])],
        )

    def test_pdf_in_the_persons_language(self) -> None:
        supervisor = self.world.user("A", Role.SUPERVISOR)
        export = actions.export_subject(supervisor, self.world.people["A"], "km")
        self.assertTrue(export.pdf.startswith(b"%PDF"))
        self.assertEqual(export.filename("pdf"), f"{self.world.people['A'].reference}-km.pdf")

    def test_refused_without_the_capability_or_in_another_organisation(self) -> None:
        person = self.world.people["A"]
        before = _audit_count()
        for org, role in (("A", Role.CASE_WORKER), ("A", Role.ORG_ADMIN), ("B", Role.SUPERVISOR)):
            with self.subTest(org=org, role=role), self.assertRaises(RefusedError):
                actions.export_subject(self.world.user(org, role), person, "en")
        self.assertEqual(_audit_count(), before)

    def test_unknown_language_refused(self) -> None:
        before = _audit_count()
        with self.assertRaises(RefusedError):
            actions.export_subject(
                self.world.user("A", Role.SUPERVISOR), self.world.people["A"], "fr"
            )
        self.assertEqual(_audit_count(), before)

    def test_command_writes_both_files_where_told(self) -> None:
        reference = self.world.people["A"].reference
        with tempfile.TemporaryDirectory() as folder:
            call_command(
                "subject-export",
                reference,
                "--actor=a-supervisor",
                "--language=th",
                f"--output={folder}",
                stdout=io.StringIO(),
            )
            names = sorted(p.name for p in Path(folder).iterdir())
            self.assertEqual(names, [f"{reference}-th.json", f"{reference}-th.pdf"])
            document = json.loads((Path(folder) / names[0]).read_text("utf-8"))
            self.assertEqual(document["language"], "th")
            with self.assertRaises(CommandError):
                call_command(
                    "subject-export",
                    reference,
                    "--actor=b-supervisor",
                    "--language=th",
                    f"--output={folder}",
                )
            with self.assertRaises(CommandError):
                call_command(
                    "subject-export", reference, "--actor=nobody", "--language=th",
                    f"--output={folder}",
                )  # fmt: skip


class RetentionPolicyTests(HavenTestCase):
    def test_org_admin_sets_and_changes_the_policy(self) -> None:
        admin = self.world.user("A", Role.ORG_ADMIN)
        policy = actions.set_retention_policy(
            admin, years=5, outcome=RetentionOutcome.ANONYMISE, expected_version=None
        )
        self.assertEqual((policy.years, policy.organisation_id), (5, self.world.orgs["A"].pk))
        actions.set_retention_policy(
            admin, years=7, outcome=RetentionOutcome.ANONYMISE, expected_version=1
        )
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertEqual((entry.action, entry.changed_fields), (Action.RETENTION_POLICY, ["years"]))
        with self.assertRaises(ConcurrentEditError):
            actions.set_retention_policy(
                admin, years=9, outcome=RetentionOutcome.DELETE, expected_version=1
            )
        self.assertEqual(RetentionPolicy.objects.get().years, 7)

    def test_bad_input_and_other_roles_refused(self) -> None:
        admin = self.world.user("A", Role.ORG_ADMIN)
        for years, outcome in ((0, "anonymise"), (101, "anonymise"), (5, "shred")):
            with self.subTest(years=years, outcome=outcome), self.assertRaises(RefusedError):
                actions.set_retention_policy(
                    admin, years=years, outcome=outcome, expected_version=None
                )
        for role in (Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.CASE_WORKER):
            with self.subTest(role=role), self.assertRaises(RefusedError):
                actions.set_retention_policy(
                    self.world.user("A", role), years=5, outcome="delete", expected_version=None
                )
        self.assertFalse(RetentionPolicy.objects.exists())


class LegalHoldTests(HavenTestCase):
    def test_supervisor_places_and_lifts_a_hold(self) -> None:
        supervisor, case = self.world.user("A", Role.SUPERVISOR), self.world.cases["A"]
        hold = actions.place_legal_hold(supervisor, case, "  Trial of the recruiter  ")
        self.assertEqual(hold.reason, "Trial of the recruiter")
        with self.assertRaises(RefusedError):
            actions.place_legal_hold(supervisor, case, "again")
        actions.lift_legal_hold(supervisor, case, "Verdict final")
        with self.assertRaises(RefusedError):
            actions.lift_legal_hold(supervisor, case, "again")
        self.assertEqual(LegalHold.objects.filter(lifted_at__isnull=True).count(), 0)
        actions_logged = AuditEntry.objects.filter(object_ref=case.reference).values_list(
            "action", "changed_fields"
        )
        self.assertIn((Action.LEGAL_HOLD_PLACE, ["reason"]), list(actions_logged))
        self.assertNotIn("Trial", json.dumps(list(AuditEntry.objects.values_list()), default=str))

    def test_refused_for_other_roles_other_organisations_and_without_reason(self) -> None:
        case = self.world.cases["A"]
        for org, role in (("A", Role.CASE_WORKER), ("A", Role.ORG_ADMIN), ("B", Role.SUPERVISOR)):
            with self.subTest(org=org, role=role), self.assertRaises(RefusedError):
                actions.place_legal_hold(self.world.user(org, role), case, "reason")
        with self.assertRaises(RefusedError):
            actions.place_legal_hold(self.world.user("A", Role.SUPERVISOR), case, "   ")
        with self.assertRaises(RefusedError):
            actions.place_legal_hold(self.world.user("A", Role.SUPERVISOR), case, "x" * 2001)
        self.assertFalse(LegalHold.objects.exists())


class RetentionApplyTests(HavenTestCase):
    def _policy(self, outcome: str, org: str = "A") -> None:
        actions.set_retention_policy(
            self.world.user(org, Role.ORG_ADMIN), years=2, outcome=outcome, expected_version=None
        )

    def test_no_policy_nothing_happens(self) -> None:
        close(self.world)
        before = everything_about(self.world.cases["A"])
        self.assertEqual(apply_retention(today=LATER), [])
        self.assertEqual(everything_about(self.world.cases["A"]), before)

    def test_not_due_before_the_years_have_passed(self) -> None:
        close(self.world)
        self._policy(RetentionOutcome.ANONYMISE)
        [report] = apply_retention(today=timezone.localdate() + dt.timedelta(days=365))
        self.assertEqual((report.due, report.anonymised_cases), (0, []))

    def _received_from_b(self) -> Referral:
        """B's referral to A's service, taken on in A's case: B's record, not A's."""
        received = self.world.referrals["B"]
        Referral.objects.filter(pk=received.pk).update(receiver_case=self.world.cases["A"])
        return received

    def test_anonymising_removes_identity_and_keeps_the_counted_facts(self) -> None:
        case, person = close(self.world), self.world.people["A"]
        received = self._received_from_b()
        self._policy(RetentionOutcome.ANONYMISE)
        supervisor = self.world.user("A", Role.SUPERVISOR)
        visible = people_for(supervisor, Capability.PERSON_VIEW)
        self.assertTrue(search_people(supervisor, visible, name="Fixture Person A"))
        audit_before = _audit_count()

        [report] = apply_retention(today=LATER)

        self.assertEqual(report.anonymised_cases, [case.reference])
        self.assertEqual(report.anonymised_people, [person.reference])
        person.refresh_from_db()
        case.refresh_from_db()
        self.assertEqual((person.full_name, person.phone, person.aliases), ("", "", []))
        self.assertEqual((person.gender, person.citizenship), ("Feminine", ["TH"]))
        self.assertEqual(case.summary, "")
        self.assertEqual(case.status, "Closed")
        objective = SupportObjective.objects.get(pk=self.world.objectives["A"].pk)
        self.assertEqual(objective.objectives, "")
        self.assertFalse(PersonIndex.objects.filter(person=person).exists())
        self.assertEqual(search_people(supervisor, visible, name="Fixture Person A"), [])
        self.assertTrue(AnonymisedCase.objects.filter(case=case).exists())
        self.assertTrue(AnonymisedPerson.objects.filter(person=person).exists())
        # Statistics still count the person and the closed case.
        refresh()
        fact = PersonFact.objects.get(person=person)
        self.assertEqual(
            (fact.sex, fact.closed_on, fact.assisted), ("Feminine", case.closed_on, True)
        )
        # Audited with references and field names only.
        new = AuditEntry.objects.filter(seq__gt=audit_before, action__startswith="retention.")
        self.assertEqual(
            set(new.values_list("action", "object_ref")),
            {
                (Action.RETENTION_ANONYMISE, case.reference),
                (Action.RETENTION_ANONYMISE, person.reference),
            },
        )
        self.assertIn("cases.Case.summary", new.get(object_ref=case.reference).changed_fields)
        # What B sent stays as B wrote it; what A sent is emptied.
        self.assertEqual(Referral.objects.get(pk=received.pk).details, "Fixture request")
        self.assertEqual(Referral.objects.get(pk=self.world.referrals["A"].pk).details, "")
        self.assertNotIn("Fixture", json.dumps(list(new.values_list("changed_fields"))))
        # Done once: a second run finds nothing due.
        [again] = apply_retention(today=LATER)
        self.assertEqual((again.due, again.anonymised_people), (0, []))

    def test_a_legal_hold_keeps_the_case_and_person_untouched(self) -> None:
        case = close(self.world)
        actions.place_legal_hold(self.world.user("A", Role.SUPERVISOR), case, "Trial pending")
        self._policy(RetentionOutcome.DELETE)
        before = everything_about(case)
        [report] = apply_retention(today=LATER)
        self.assertEqual((report.held, report.due, report.deleted_cases), (1, 0, []))
        self.assertEqual(everything_about(case)["case"], before["case"])
        self.assertEqual(
            Person.objects.get(pk=self.world.people["A"].pk).full_name, "Fixture Person A"
        )

    def test_dry_run_changes_nothing(self) -> None:
        case = close(self.world)
        self._policy(RetentionOutcome.DELETE)
        before = everything_about(case)
        [report] = apply_retention(dry_run=True, today=LATER)
        self.assertEqual(report.deleted_cases, [case.reference])
        self.assertEqual(report.deleted_people, [self.world.people["A"].reference])
        self.assertEqual(everything_about(case), before)
        self.assertTrue(Person.objects.filter(pk=self.world.people["A"].pk).exists())

    def test_deleting_removes_the_case_and_person_and_keeps_the_audit_trail(self) -> None:
        case, person = close(self.world), self.world.people["A"]
        received = self._received_from_b()
        self._policy(RetentionOutcome.DELETE)
        audit_before = _audit_count()
        [report] = apply_retention(today=LATER)
        self.assertEqual(report.deleted_cases, [case.reference])
        self.assertEqual(report.deleted_people, [person.reference])
        self.assertEqual(report.failed_people, [])
        self.assertFalse(Case.objects.filter(pk=case.pk).exists())
        self.assertFalse(Person.objects.filter(pk=person.pk).exists())
        self.assertGreater(_audit_count(), audit_before)  # nothing of the trail was deleted
        self.assertTrue(AuditEntry.objects.filter(object_ref=case.reference).exists())
        # Organisation B's case, person and referral are kept; only its link to A's case goes.
        self.assertTrue(Case.objects.filter(pk=self.world.cases["B"].pk).exists())
        kept = Referral.objects.get(pk=received.pk)
        self.assertEqual((kept.receiver_case_id, kept.details), (None, "Fixture request"))
        self.assertFalse(Referral.objects.filter(pk=self.world.referrals["A"].pk).exists())

    def test_a_person_with_another_case_still_open_keeps_their_identity(self) -> None:
        case, person = close(self.world), self.world.people["A"]
        worker = self.world.user("A", Role.CASE_WORKER)
        open_case(worker, person, assigned_to=worker, opened_on=timezone.localdate(), summary="")
        self._policy(RetentionOutcome.ANONYMISE)
        [report] = apply_retention(today=LATER)
        self.assertEqual(
            (report.anonymised_cases, report.anonymised_people), ([case.reference], [])
        )
        person.refresh_from_db()
        self.assertEqual(person.full_name, "Fixture Person A")
        self.assertTrue(PersonIndex.objects.filter(person=person).exists())
        self.assertEqual(Case.objects.get(pk=case.pk).summary, "")

    def test_a_failure_leaves_that_person_whole_and_the_run_goes_on(self) -> None:
        first = close(self.world)
        worker = self.world.user("A", Role.CASE_WORKER)
        other = create_person(
            self.world.user("A", Role.SCREENER), {"full_name": "Second Person", "gender": "Male"}
        )
        second = open_case(
            worker, other, assigned_to=worker, opened_on=first.opened_on, summary="Notes"
        )
        Case.objects.filter(pk=second.pk).update(status="Closed", closed_on=first.closed_on)
        self._policy(RetentionOutcome.ANONYMISE)
        real = retention._anonymise_person
        calls: list[int] = []

        def fail_first(person: Person) -> list[str]:
            calls.append(person.pk)
            if len(calls) == 1:
                raise DatabaseError("simulated")
            return real(person)

        with mock.patch.object(retention, "_anonymise_person", fail_first):
            [report] = apply_retention(today=LATER)
        failed = Person.objects.get(pk=calls[0])
        done = Person.objects.get(pk=calls[1])
        self.assertEqual(report.failed_people, [failed.reference])
        self.assertEqual(report.anonymised_people, [done.reference])
        self.assertNotEqual(failed.full_name, "")
        self.assertEqual(done.full_name, "")
        # The failed person's case was rolled back with them: not anonymised.
        failed_case = Case.objects.get(person=failed)
        self.assertNotEqual(failed_case.summary, "")
        self.assertFalse(AnonymisedCase.objects.filter(case=failed_case).exists())
        self.assertFalse(
            AuditEntry.objects.filter(object_ref__in=[failed.reference, failed_case.reference])
            .filter(action__startswith="retention.")
            .exists()
        )

    def test_command_reports_and_dry_run_changes_nothing(self) -> None:
        case = close(self.world)
        Case.objects.filter(pk=case.pk).update(closed_on=dt.date(2020, 1, 1))
        self._policy(RetentionOutcome.ANONYMISE)
        out = io.StringIO()
        call_command("retention", "apply", "--dry-run", stdout=out)
        self.assertIn("Dry run", out.getvalue())
        self.assertIn(case.reference, out.getvalue())
        self.assertFalse(AnonymisedCase.objects.exists())
        out = io.StringIO()
        call_command("retention", "apply", stdout=out)
        self.assertIn(f"1 cases anonymised: {case.reference}", out.getvalue())
        self.assertNotIn("Fixture Person", out.getvalue())
        self.assertTrue(AnonymisedCase.objects.filter(case=case).exists())


class RightsPageTests(HavenTestCase):
    def test_supervisor_downloads_the_export_as_pdf_and_json(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        url = reverse(
            "rights:subject_export", kwargs={"reference": self.world.people["A"].reference}
        )
        self.assertContains(client.get(url), "Everything held about this person")
        response = client.post(url, {"language": "my", "format": "pdf"})
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertTrue(response.content.startswith(b"%PDF"))
        response = client.post(url, {"language": "vi", "format": "json"})
        self.assertEqual(json.loads(response.content)["language"], "vi")
        bad = client.post(url, {"language": "xx", "format": "json"})
        self.assertEqual(bad.status_code, 400)

    def test_person_page_links_to_the_export_for_supervisors_only(self) -> None:
        url = reverse("people:detail", kwargs={"reference": self.world.people["A"].reference})
        export = reverse(
            "rights:subject_export", kwargs={"reference": self.world.people["A"].reference}
        )
        self.assertContains(self.client_for("A", Role.SUPERVISOR).get(url), export)
        self.assertNotContains(self.client_for("A", Role.CASE_WORKER).get(url), export)

    def test_admin_sets_the_policy_on_its_page(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        url = reverse("rights:retention")
        response = client.post(url, {"years": "6", "outcome": "delete"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(RetentionPolicy.objects.get().years, 6)
        bad = client.post(url, {"years": "0", "outcome": "delete", "version": "1"})
        self.assertEqual(bad.status_code, 400)
        stale = client.post(url, {"years": "8", "outcome": "delete", "version": "9"})
        self.assertEqual(stale.status_code, 302)
        self.assertEqual(RetentionPolicy.objects.get().years, 6)

    def test_supervisor_places_a_hold_on_its_page(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        case = self.world.cases["A"]
        url = reverse("rights:legal_hold", kwargs={"reference": case.reference})
        detail = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))
        self.assertContains(detail, url)
        response = client.post(url, {"change": "place", "reason": "Investigation"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists())
        # A second "place" from a page shown before is refused, never turned into a lift.
        again = client.post(url, {"change": "place", "reason": "Again"})
        self.assertEqual(again.status_code, 400)
        self.assertEqual(LegalHold.objects.count(), 1)
        self.assertContains(client.get(url), "Investigation")
        lifted = client.post(url, {"change": "lift", "reason": "Closed"})
        self.assertEqual(lifted.status_code, 302)
        self.assertFalse(LegalHold.objects.filter(lifted_at__isnull=True).exists())
