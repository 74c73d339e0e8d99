"""Non-punishment and criminal-justice support (haven.justice): the rules live in the
actions, help never depends on cooperation, and the request letter says only what the
person consented to share."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from haven.accounts.roles import Role
from haven.assistance.actions import (
    add_assessment,
    add_objective,
    record_service,
    save_return_plan,
    schedule_follow_ups,
)
from haven.assistance.models import Service
from haven.audit.models import Action, AuditEntry
from haven.cases.choices import Cooperation
from haven.cases.models import Case
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.identification.models import IdentificationChange
from haven.justice import actions
from haven.justice.letter import letter_pdf
from haven.justice.models import (
    CompensationClaim,
    Hearing,
    Penalisation,
    Proceeding,
    ProtectionMeasure,
    SafetyReview,
)
from haven.justice.nonpunishment import Sign, signs
from haven.referrals.actions import record_consent
from haven.screening.models import ScreeningStatus
from haven.stats import facts, summary, tables
from haven.stats.models import FactTag
from haven.stats.summary import Filters
from tests.personas import HavenTestCase, consent_data

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)

ARREST: dict[str, Any] = {
    "kind": "arrest",
    "on": TODAY - 10 * DAY,
    "authority_type": "immigration",
    "authority": "Immigration checkpoint unit 4",
    "country": "TH",
    "area": "Tak province",
    "offence": "Overstaying a visa after the employer kept the passport",
    "outcome": "pending",
    "outcome_on": None,
    "non_punishment_requested_on": None,
    "non_punishment_decision": "",
    "note": "",
}

PROCEEDING: dict[str, Any] = {
    "stage": "trial",
    "status": "open",
    "authority": "Provincial court",
    "country": "TH",
    "person_role": "victim_witness",
    "participation": "agreed",
    "interpreter": "provided",
    "legal_representation": "provided",
    "started_on": TODAY - 60 * DAY,
    "ended_on": None,
    "note": "",
}


PDFTOTEXT = shutil.which("pdftotext") or "pdftotext"  # poppler-utils


def pdf_text(data: bytes) -> str:
    done = subprocess.run(  # noqa: S603 - a fixed program reading bytes the test made
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


class JusticeTestCase(HavenTestCase):
    def setUp(self) -> None:
        self.case = Case.objects.get(pk=self.world.cases["A"].pk)
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.supervisor = self.world.user("A", Role.SUPERVISOR)

    def arrest(self, **changes: Any) -> Penalisation:
        record = actions.add_record(self.worker, self.case, "penalisation", {**ARREST, **changes})
        assert isinstance(record, Penalisation)
        return record

    def proceeding(self, **changes: Any) -> Proceeding:
        record = actions.add_record(self.worker, self.case, "proceeding", {**PROCEEDING, **changes})
        assert isinstance(record, Proceeding)
        return record

    def assert_refused(self, kind: str, data: dict[str, Any], *, actor: Any = None) -> None:
        model = actions.KINDS[kind].model
        before = (model.objects.count(), AuditEntry.objects.count())
        with self.assertRaises(RefusedError):
            actions.add_record(actor or self.worker, self.case, kind, data)
        self.assertEqual((model.objects.count(), AuditEntry.objects.count()), before)


class PenalisationTests(JusticeTestCase):
    def test_the_case_team_records_an_arrest_audited_by_field_name_only(self) -> None:
        for actor in (self.worker, self.supervisor):
            with self.subTest(role=actor.role_list):
                record = actions.add_record(actor, self.case, "penalisation", ARREST)
                entry = AuditEntry.objects.order_by("-seq").first()
                assert entry is not None
                self.assertEqual(entry.action, Action.JUSTICE_PENALISATION)
                self.assertEqual(entry.object_ref, self.case.reference)
                self.assertIn("offence", entry.changed_fields)
                self.assertNotIn("Tak", repr(entry.changed_fields))
                self.assertEqual(record.created_by, actor)

    def test_free_text_about_the_person_is_encrypted_at_rest(self) -> None:
        record = self.arrest()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT authority, area, offence FROM justice_penalisation WHERE id = %s",
                [record.pk],
            )
            raw = " ".join(str(v) for v in cursor.fetchone())
        for clear in ("checkpoint", "Tak province", "passport"):
            self.assertNotIn(clear, raw)
        record.refresh_from_db()
        self.assertEqual(record.area, "Tak province")

    def test_roles_without_the_capability_and_other_organisations_are_refused(self) -> None:
        for org, role in (
            ("A", Role.SCREENER),
            ("A", Role.DETERMINATION_OFFICER),
            ("A", Role.ANALYST),
            ("A", Role.COORDINATOR),
            ("A", Role.ORG_ADMIN),
            ("B", Role.CASE_WORKER),
            ("B", Role.SUPERVISOR),
        ):
            with self.subTest(org=org, role=role.value):
                self.assert_refused("penalisation", ARREST, actor=self.world.user(org, role))

    def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        bad = {
            "future date": {"on": TODAY + DAY},
            "unknown kind": {"kind": "torture"},
            "unknown authority": {"authority_type": "army"},
            "not a country": {"country": "XX"},
            "outcome without date": {"outcome": "convicted"},
            "pending with a date": {"outcome_on": TODAY},
            "outcome before the arrest": {"outcome": "released", "outcome_on": TODAY - 20 * DAY},
            "answer without request": {"non_punishment_decision": "accepted"},
            "request before the arrest": {"non_punishment_requested_on": TODAY - 30 * DAY},
            "a field that is not the record's": {"created_by": self.supervisor},
        }
        for name, changes in bad.items():
            with self.subTest(name):
                self.assert_refused("penalisation", {**ARREST, **changes})

    def test_a_request_for_non_punishment_waits_for_its_answer(self) -> None:
        record = self.arrest(non_punishment_requested_on=TODAY - 2 * DAY)
        self.assertEqual(record.non_punishment_decision, "pending")

    def test_an_edit_saves_a_new_version_and_names_what_changed(self) -> None:
        record = self.arrest()
        changed = actions.update_record(
            self.worker,
            record,
            {"outcome": "non_punishment", "outcome_on": TODAY},
            expected_version=1,
        )
        self.assertEqual(sorted(changed), ["outcome", "outcome_on"])
        self.assertEqual(record.version, 2)
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.changed_fields, ["outcome", "outcome_on"])

    def test_a_stale_version_is_refused_and_changes_nothing(self) -> None:
        record = self.arrest()
        actions.update_record(self.worker, record, {"note": "first"}, expected_version=1)
        with self.assertRaises(ConcurrentEditError):
            actions.update_record(self.supervisor, record, {"note": "second"}, expected_version=1)
        record.refresh_from_db()
        self.assertEqual((record.note, record.version), ("first", 2))

    def test_an_edit_is_held_to_the_same_rules(self) -> None:
        record = self.arrest()
        with self.assertRaises(RefusedError):
            actions.update_record(self.worker, record, {"outcome": "fined"}, expected_version=1)
        record.refresh_from_db()
        self.assertEqual((record.outcome, record.version), ("pending", 1))

    def test_another_organisation_cannot_edit_the_record(self) -> None:
        record = self.arrest()
        with self.assertRaises(RefusedError):
            actions.update_record(
                self.world.user("B", Role.SUPERVISOR), record, {"note": "x"}, expected_version=1
            )
        record.refresh_from_db()
        self.assertEqual(record.version, 1)


class ProceedingsTests(JusticeTestCase):
    def test_proceedings_record_role_participation_interpreter_and_lawyer(self) -> None:
        proceeding = self.proceeding()
        self.assertEqual(proceeding.person_role, "victim_witness")
        self.assertEqual(proceeding.authority, "Provincial court")

    def test_proceeding_dates_follow_its_status(self) -> None:
        for name, changes in {
            "ended without end date": {"status": "conviction"},
            "open with an end date": {"ended_on": TODAY},
            "ends before it starts": {"status": "acquittal", "ended_on": TODAY - 90 * DAY},
            "unknown role": {"person_role": "judge"},
        }.items():
            with self.subTest(name):
                self.assert_refused("proceeding", {**PROCEEDING, **changes})
        ended = self.proceeding(status="conviction", ended_on=TODAY)
        self.assertEqual(ended.ended_on, TODAY)

    def test_a_hearing_belongs_to_a_proceeding_of_the_same_case(self) -> None:
        proceeding = self.proceeding()
        hearing = {
            "proceeding": proceeding,
            "on": TODAY + 14 * DAY,  # a hearing may be planned
            "kind": "testimony",
            "attendance": "video",
            "support": "Escort and a support person",
        }
        created = actions.add_record(self.worker, self.case, "hearing", hearing)
        self.assertIsInstance(created, Hearing)
        other_case = self.world.cases["B"]
        theirs = Proceeding.objects.create(
            case=other_case,
            stage="trial",
            person_role="witness",
            started_on=TODAY,
            created_by=self.world.user("B", Role.CASE_WORKER),
        )
        for name, changes in {
            "another case's proceeding": {"proceeding": theirs},
            "no proceeding": {"proceeding": None},
            "before the proceeding": {"on": TODAY - 90 * DAY},
        }.items():
            with self.subTest(name):
                self.assert_refused("hearing", {**hearing, **changes})

    def test_protection_measures_are_asked_for_then_decided(self) -> None:
        proceeding = self.proceeding()
        asked = {
            "proceeding": proceeding,
            "measure": "video_link",
            "requested_on": TODAY - 5 * DAY,
            "decision": "pending",
            "decided_on": None,
            "note": "",
        }
        measure = actions.add_record(self.worker, self.case, "protection", asked)
        assert isinstance(measure, ProtectionMeasure)
        for name, changes in {
            "decision without date": {"decision": "granted"},
            "pending with a date": {"decided_on": TODAY},
            "decided before asked": {"decision": "refused", "decided_on": TODAY - 9 * DAY},
            "unknown measure": {"measure": "bodyguard_army"},
        }.items():
            with self.subTest(name):
                self.assert_refused("protection", {**asked, **changes})
        actions.update_record(
            self.worker, measure, {"decision": "granted", "decided_on": TODAY}, expected_version=1
        )
        measure.refresh_from_db()
        self.assertEqual(measure.decision, "granted")

    def test_a_safety_review_with_concerns_says_what_follows(self) -> None:
        review = {
            "proceeding": None,
            "reviewed_on": TODAY,
            "outcome": "at_risk",
            "follow_up": "",
            "follow_up_on": None,
        }
        self.assert_refused("safety-review", review)
        self.assert_refused(
            "safety-review", {**review, "follow_up": "Move", "follow_up_on": TODAY - DAY}
        )
        done = actions.add_record(
            self.worker, self.case, "safety-review", {**review, "follow_up": "Move to shelter"}
        )
        self.assertIsInstance(done, SafetyReview)

    def test_compensation_amounts_are_consistent(self) -> None:
        claim = {
            "route": "labour",
            "status": "preparing",
            "filed_on": None,
            "currency": "",
            "amount_claimed": None,
            "amount_awarded": None,
            "amount_received": None,
            "note": "",
        }
        for name, changes in {
            "amount without currency": {"amount_claimed": Decimal("1000")},
            "lower-case currency": {"currency": "thb", "amount_claimed": Decimal("1")},
            "filed without date": {"status": "filed"},
            "negative": {"currency": "THB", "amount_claimed": Decimal("-1")},
            "paid without amount": {"status": "paid", "filed_on": TODAY},
            "received while only filed": {
                "status": "filed",
                "filed_on": TODAY,
                "currency": "THB",
                "amount_received": Decimal("5"),
            },
            "received more than awarded": {
                "status": "paid",
                "filed_on": TODAY,
                "currency": "THB",
                "amount_awarded": Decimal("100"),
                "amount_received": Decimal("150"),
            },
        }.items():
            with self.subTest(name):
                self.assert_refused("compensation", {**claim, **changes})
        paid = actions.add_record(
            self.worker,
            self.case,
            "compensation",
            {
                **claim,
                "status": "paid_part",
                "filed_on": TODAY - 30 * DAY,
                "currency": "THB",
                "amount_claimed": Decimal("90000"),
                "amount_awarded": Decimal("60000"),
                "amount_received": Decimal("20000"),
            },
        )
        assert isinstance(paid, CompensationClaim)
        self.assertEqual(paid.amount_received, Decimal("20000"))

    def test_a_closed_case_refuses_new_records(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(status="Closed")
        self.assert_refused("proceeding", PROCEEDING)


class CooperationIsVoluntaryTests(JusticeTestCase):
    def test_assistance_works_for_a_person_who_declined_to_cooperate(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(cooperation=Cooperation.NONE)
        self.proceeding(participation="declined", person_role="witness")
        self.case.refresh_from_db()
        add_assessment(
            self.worker,
            self.case,
            {"assessed_on": TODAY, "retaliation_risk": "high", "retrafficking_risk": "medium"},
        )
        add_objective(
            self.worker,
            self.case,
            {"stage": "proceedings", "plan_type": "Legal", "objectives": "Know their rights"},
        )
        service = record_service(
            self.worker,
            self.case,
            {"stage": "initial", "kind": "accommodation", "status": "delivered", "on": TODAY},
        )
        schedule_follow_ups(self.worker, self.case, TODAY)
        save_return_plan(
            self.worker,
            self.case,
            {
                "informed_consent": True,
                "requested_on": TODAY,
                "destination_country": "KH",
                "risk_assessed_on": TODAY,
                "risk_level": "low",
                "risk_summary": "Family supportive",
                "receiving_organisation": "Receiving NGO",
                "receiving_plan": "Met at the border",
            },
            expected_version=None,
        )
        self.assertTrue(Service.objects.filter(pk=service.pk, status="delivered").exists())

    def test_assistance_code_never_reads_justice_records(self) -> None:
        folder = Path(settings.BASE_DIR) / "haven" / "assistance"
        for path in folder.rglob("*.py"):
            with self.subTest(path=path.name):
                self.assertNotIn("justice", path.read_text(encoding="utf-8"))


class NonPunishmentPanelTests(JusticeTestCase):
    def detail(self) -> str:
        url = reverse("cases:detail", kwargs={"reference": self.case.reference})
        return self.client_for("A", Role.CASE_WORKER).get(url).content.decode()

    def test_no_sign_no_panel(self) -> None:
        self.assertEqual(signs(self.case), [])
        self.assertNotIn('id="non-punishment"', self.detail())

    def test_forced_criminality_in_the_case_record_shows_the_principle(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(exploitation_types=["ForcedCriminality"])
        self.case.refresh_from_db()
        self.assertEqual(signs(self.case), [Sign.FORCED_CRIMINALITY])
        page = self.detail()
        self.assertIn('id="non-punishment"', page)
        self.assertIn("non-punishment request letter", page)

    def test_a_completed_screening_shows_irregular_status_and_sex_industry(self) -> None:
        screening = self.world.screenings["A"]
        screening.status = ScreeningStatus.COMPLETED
        screening.answers = {"context_irregular_status": "yes", "context_crossed_border": "yes"}
        screening.result = {"flags": ["sexual_exploitation"]}
        screening.save()
        self.assertEqual(signs(self.case), [Sign.IRREGULAR_STATUS, Sign.SEX_INDUSTRY])

    def test_an_unfinished_screening_or_a_no_shows_nothing(self) -> None:
        screening = self.world.screenings["A"]
        screening.answers = {"context_irregular_status": "yes"}
        screening.save()
        self.assertEqual(signs(self.case), [])
        screening.status = ScreeningStatus.COMPLETED
        screening.answers = {"context_irregular_status": "no"}
        screening.save()
        self.assertEqual(signs(self.case), [])

    def test_an_arrest_on_record_shows_the_principle(self) -> None:
        self.arrest()
        self.assertEqual(signs(self.case), [Sign.PENALISED])

    def test_only_the_case_team_is_offered_the_justice_records(self) -> None:
        link = reverse("justice:case", kwargs={"reference": self.case.reference})
        self.assertIn(link, self.detail())
        url = reverse("cases:detail", kwargs={"reference": self.case.reference})
        page = self.client_for("A", Role.DETERMINATION_OFFICER).get(url).content.decode()
        self.assertNotIn(link, page)


class LetterTests(JusticeTestCase):
    def setUp(self) -> None:
        super().setUp()
        Case.objects.filter(pk=self.case.pk).update(
            identification_status="presumed",
            presumed_on=TODAY - 20 * DAY,
            exploitation_types=["ForcedLabour"],
        )
        self.case.refresh_from_db()
        self.event = self.arrest()

    def consent(self, categories: list[str], purpose: str = "legal") -> None:
        provider = self.world.providers["B"]
        record_consent(
            self.worker, self.case, consent_data(provider, purpose=purpose, categories=categories)
        )

    def letter(self, language: str = "en", addressee: str = "prosecutor") -> Any:
        return actions.letter_facts(
            self.worker, self.case, self.event, addressee=addressee, language=language
        )

    def test_english_letter_names_the_person_only_with_consent_to_share_identity(self) -> None:
        self.consent(["legal"])
        text = pdf_text(letter_pdf(self.letter()))
        self.assertIn("Request for non-punishment", text)
        self.assertIn(self.case.reference, text)
        self.assertIn("Presumed victim", text)
        self.assertIn("Forced labour", text)
        self.assertIn("Overstaying a visa", text)
        self.assertNotIn("Fixture Person A", text)
        self.consent(["legal", "identity"])
        facts = self.letter()
        self.assertIn("Fixture Person A", pdf_text(letter_pdf(facts)))
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.action, Action.JUSTICE_LETTER)
        self.assertIn("identity", entry.changed_fields)
        self.assertNotIn("Fixture", repr(entry.changed_fields))

    def test_thai_and_khmer_letters_are_written_in_their_script(self) -> None:
        self.consent(["legal"])
        thai = pdf_text(letter_pdf(self.letter("th")))
        self.assertIn(self.case.reference, thai)
        self.assertIn("อัยการ", thai)  # prosecutor
        khmer = letter_pdf(self.letter("km"))
        fonts: set[str] = set()
        for page in pypdf.PdfReader(io.BytesIO(khmer)).pages:
            for font in page["/Resources"].get_object().get("/Font", {}).values():
                fonts.add(str(font.get_object()["/BaseFont"]))
        self.assertTrue(any("Khmer" in f for f in fonts), fonts)
        self.assertIn(self.case.reference, pdf_text(khmer))

    def test_no_letter_without_presumption_or_consent(self) -> None:
        before = AuditEntry.objects.count()
        with self.assertRaises(RefusedError):
            self.letter()  # no consent yet
        self.consent(["identity"], purpose="assistance")
        with self.assertRaises(RefusedError):
            self.letter()  # consent, but not to share legal information
        self.consent(["legal"])
        Case.objects.filter(pk=self.case.pk).update(identification_status="first_negative")
        self.case.refresh_from_db()
        with self.assertRaises(RefusedError):
            self.letter()
        self.assertEqual(AuditEntry.objects.count(), before + 2)  # the two consents only

    def test_a_letter_is_refused_to_roles_without_the_capability(self) -> None:
        self.consent(["legal"])
        for org, role in (("A", Role.DETERMINATION_OFFICER), ("B", Role.SUPERVISOR)):
            with self.subTest(org=org, role=role.value), self.assertRaises(RefusedError):
                actions.letter_facts(
                    self.world.user(org, role),
                    self.case,
                    self.event,
                    addressee="prosecutor",
                    language="en",
                )


class PagesTests(JusticeTestCase):
    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"justice:{name}", kwargs={"reference": self.case.reference, **kwargs})

    def test_record_and_update_an_arrest_through_the_pages(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        form = {
            "kind": "charge",
            "on": (TODAY - 3 * DAY).isoformat(),
            "authority_type": "police",
            "country": "TH",
            "area": "Mae Sot district",
            "offence": "Working without a permit",
            "outcome": "pending",
        }
        response = client.post(self.url("add", kind="penalisation"), form)
        self.assertRedirects(response, self.url("case"))
        record = Penalisation.objects.get(case=self.case)
        page = client.get(self.url("case")).content.decode()
        self.assertIn("Mae Sot district", page)
        self.assertNotIn("Mae Sot", response.get("Location", ""))
        edit = self.url("edit", kind="penalisation", pk=record.pk)
        self.assertEqual(client.get(edit).status_code, 200)
        stale = client.post(edit, {**form, "note": "changed", "version": "7"})
        self.assertRedirects(stale, edit, fetch_redirect_response=False)
        record.refresh_from_db()
        self.assertEqual((record.note, record.version), ("", 1))
        done = client.post(edit, {**form, "outcome": "dropped", "outcome_on": TODAY, "version": 1})
        self.assertRedirects(done, self.url("case"))
        record.refresh_from_db()
        self.assertEqual((record.outcome, record.version), ("dropped", 2))

    def test_bad_input_shows_the_form_again_and_saves_nothing(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            self.url("add", kind="penalisation"),
            {
                "kind": "arrest",
                "on": TODAY.isoformat(),
                "authority_type": "police",
                "outcome": "convicted",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Give the date of the outcome.", status_code=400)
        self.assertFalse(Penalisation.objects.filter(case=self.case).exists())

    def test_every_kind_has_its_form_and_an_unknown_kind_is_not_found(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        for kind in actions.KINDS:
            with self.subTest(kind=kind):
                self.assertEqual(client.get(self.url("add", kind=kind)).status_code, 200)
        self.assertEqual(client.get(self.url("add", kind="sentence")).status_code, 404)

    def test_a_hearing_form_offers_only_this_cases_proceedings(self) -> None:
        mine = self.proceeding()
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            self.url("add", kind="hearing"),
            {
                "proceeding": mine.pk,
                "on": TODAY.isoformat(),
                "kind": "trial",
                "attendance": "in_person",
            },
        )
        self.assertRedirects(response, self.url("case"))
        theirs = Proceeding.objects.create(
            case=self.world.cases["B"],
            stage="trial",
            person_role="witness",
            started_on=TODAY,
            created_by=self.world.user("B", Role.CASE_WORKER),
        )
        response = client.post(
            self.url("add", kind="hearing"),
            {
                "proceeding": theirs.pk,
                "on": TODAY.isoformat(),
                "kind": "trial",
                "attendance": "in_person",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Hearing.objects.count(), 1)

    def test_the_letter_page_gives_a_pdf_or_says_why_not(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        event = self.arrest()
        form = {"penalisation": event.pk, "addressee": "immigration", "language": "en"}
        refused = client.post(self.url("letter"), form)
        self.assertEqual(refused.status_code, 400)
        Case.objects.filter(pk=self.case.pk).update(identification_status="presumed")
        record_consent(
            self.worker,
            self.case,
            consent_data(self.world.providers["B"], purpose="legal", categories=["legal"]),
        )
        response = client.post(self.url("letter"), form)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("immigration authority", pdf_text(response.content))


class StatisticsTests(JusticeTestCase):
    def test_presumed_victims_then_detained_or_charged_are_counted(self) -> None:
        presumed = TODAY - 30 * DAY
        IdentificationChange.objects.create(
            case=self.case,
            move="presume",
            from_status="screened",
            to_status="presumed",
            decided_on=presumed,
            decided_by=self.worker,
            decided_by_organisation=self.world.orgs["A"],
        )
        self.arrest(on=presumed - DAY)  # how the person was found: not counted
        self.arrest(on=presumed)  # the day of the presumption: not counted either
        self.arrest(kind="immigration_detention", on=presumed + DAY)
        self.arrest(kind="charge", on=presumed + 2 * DAY)
        self.arrest(kind="fine", on=presumed + 3 * DAY)  # the same person, the same row
        theirs = self.world.cases["B"]
        Penalisation.objects.create(  # another organisation's, never presumed
            case=theirs,
            kind="arrest",
            on=TODAY,
            authority_type="police",
            created_by=self.world.user("B", Role.CASE_WORKER),
        )
        facts.refresh()
        tags = FactTag.objects.filter(dimension="penalised")
        self.assertEqual(
            sorted(tags.values_list("fact__person_id", "value")),
            [(self.case.person_id, "charged"), (self.case.person_id, "detained")],
        )
        analyst = self.world.user("A", Role.ANALYST)
        cells = summary.read(analyst, Filters(), ("penalised",))["penalised"]
        self.assertEqual(cells, {("charged", ""): 1, ("detained", ""): 1})
        other = summary.read(self.world.user("B", Role.ANALYST), Filters(), ("penalised",))
        self.assertEqual(other["penalised"], {})
        table = tables.one_table(analyst, Filters(), "penalised")
        assert table is not None
        # One person is below the disclosure threshold: the count is never shown.
        self.assertNotIn(1, [n for _label, row, _total in table.rows for n in row])
