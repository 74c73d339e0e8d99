"""Load obviously fictional demo data. Safe to run again: nothing is duplicated."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from haven.accounts.actions import authenticator_secret, create_user, ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.campaigns import demo as campaigns_demo
from haven.cases import intake
from haven.cases.actions import open_case
from haven.cases.demo import STORIES, child_safeguards
from haven.cases.models import Case
from haven.community import demo as community_demo
from haven.core import crypto
from haven.directory import demo as directory_demo
from haven.hotline import demo as hotline_demo
from haven.people.actions import create_person
from haven.people.models import IndexKind, Person, PersonIndex
from haven.referrals import demo as referrals_demo
from haven.screening import engine as screening_engine
from haven.screening.actions import complete, record_answers, set_profile, start_screening
from haven.screening.models import Screening
from haven.stats import facts as statistics_facts
from haven.training import demo as training_demo

DEMO_PASSWORD = "demo-only-password"  # noqa: S105 - printed for testers; refused in production

# (key, name, type, country, jurisdiction profile)
ORGANISATIONS = [
    ("ngo", "Lotus Lantern Outreach (DEMO, fictional)", OrganisationType.NGO, "TH", "generic"),
    (
        "police",
        "Riverbend Province Police Anti-Trafficking Unit (DEMO, fictional)",
        OrganisationType.LAW_ENFORCEMENT,
        "KH",
        "nrm",
    ),
]
ROLE_LOGINS = {
    Role.SCREENER: "screener",
    Role.CASE_WORKER: "caseworker",
    Role.SUPERVISOR: "supervisor",
    Role.DETERMINATION_OFFICER: "determination",
    Role.COORDINATOR: "coordinator",
    Role.ANALYST: "analyst",
    Role.ORG_ADMIN: "orgadmin",
    Role.SYSTEM_ADMIN: "sysadmin",
    Role.INTAKE_OFFICER: "intake",
    Role.DIRECTORY_STEWARD: "steward",
    Role.TRANSLATOR: "translator",
    Role.HOTLINE_OPERATOR: "hotline",
    Role.COMMUNITY_REPORTER: "reporter",
}
# Trainers and trainees work in the demo training organisation only (haven.training):
# in a real organisation their roles reach nothing.
TRAINING_ROLES = frozenset({Role.TRAINER, Role.TRAINEE})
# What each organisation's demo translator reviews.
DEMO_TRANSLATES = {"ngo": ["km", "my"], "police": ["th", "vi", "id"]}

# Invented people. Names are plainly fictional ("Demo", "Sample", "Test" in each script).
PEOPLE: dict[str, list[dict[str, Any]]] = {
    "ngo": [
        {
            "full_name": "សុខា គំរូ",
            "aliases": ["Sokha Demo"],
            "gender": "Feminine",
            "estimated_age": "16",
            "age_basis": "Own account; no documents",
            "citizenship": ["KH"],
            "languages": ["km"],
            "case": True,
            "child": True,  # safeguards recorded before the child's screening is completed
            "screening": "child_labour",
            "story": "child_presumed_overdue",
        },
        {
            "full_name": "สมชาย ทดสอบ",
            "given_name": "สมชาย",
            "family_name": "ทดสอบ",
            "gender": "Masculine",
            "date_of_birth": "1994-03-02",
            "citizenship": ["TH"],
            "languages": ["th"],
            "documents": [{"type": "national_id", "number": "DEMO-TH-0001", "country": "TH"}],
            "case": True,
            "screening": "adult_labour",
            "story": "labour_first_positive",
        },
        {
            "full_name": "မောင်နမူနာ",
            "gender": "Masculine",
            "date_of_birth": "2001-11-20",
            "citizenship": ["MM"],
            "languages": ["my"],
            "case": True,
            "story": "screened_only",
        },
        {
            "full_name": "Ka Demo Nyein",
            "gender": "Feminine",
            "estimated_age": "27",
            "age_basis": "Own account",
            "citizenship": ["MM"],
            "languages": ["my"],
            "case": False,
            "screening": "adult_labour",
            "hand_over": True,  # screened this morning, waits in the intake queue
        },
        {
            "full_name": "Demo Sample Withdrew",
            "gender": "Feminine",
            "estimated_age": "24",
            "age_basis": "Own account",
            "citizenship": ["LA"],
            "languages": ["lo"],
            "case": True,
            "story": "withdrew_closure_pending",
        },
        {
            "full_name": "Test Sample Notvictim",
            "gender": "Masculine",
            "estimated_age": "35",
            "age_basis": "Officer's estimate",
            "citizenship": ["MM"],
            "languages": ["my"],
            "case": True,
            "story": "not_a_victim_closed",
        },
    ],
    "police": [
        {
            "full_name": "Nguyễn Thị Mẫu",
            "gender": "Feminine",
            "date_of_birth": "1999-07-14",
            "citizenship": ["VN"],
            "languages": ["vi"],
            "phone": "+84 000 000 000",
            "case": True,
            "story": "returned_follow_up",
        },
        {
            "full_name": "Siti Contoh Demo",
            "gender": "Feminine",
            "estimated_age": "30",
            "age_basis": "Officer's estimate",
            "citizenship": ["ID"],
            "languages": ["id"],
            "case": True,
            "story": "first_negative_still_helped",
        },
        {
            "full_name": "Trần Văn Mẫu Demo",
            "gender": "Masculine",
            "date_of_birth": "1990-05-05",
            "citizenship": ["VN"],
            "languages": ["vi"],
            "case": True,
            "story": "final_negative",
        },
        {
            "full_name": "Sample Confirmed Demo",
            "gender": "Feminine",
            "date_of_birth": "1996-01-09",
            "citizenship": ["KH"],
            "languages": ["km"],
            "case": True,
            "story": "confirmed_closed_referred",
        },
    ],
}


# What a demo person's entry says about the story, not about the person.
DEMO_KEYS = ("case", "screening", "story", "hand_over", "child")

# Fictional completed screenings, so the result pages and the case history show something.
SCREENINGS: dict[str, dict[str, Any]] = {
    "adult_labour": {
        "profile": {"age_at_events": 31, "possibly_child": False, "exploitation": ["labour"]},
        "answers": {
            "act_recruited_by_someone": "yes",
            "act_travel_arranged_by_others": "yes",
            "deceived_nature_of_job": "yes",
            "deceived_working_conditions": "yes",
            "excessive_working_hours": "yes",
            "low_or_no_pay": "yes",
            "documents_confiscated_at_destination": "yes",
            "debt_bondage_at_destination": "yes",
            "violence_at_destination": "declined",
            "protection_fear_of_harm_on_return": "unknown",
        },
    },
    "child_labour": {
        "profile": {"age_at_events": 15, "possibly_child": True, "exploitation": ["labour"]},
        "answers": {
            "act_recruited_by_someone": "yes",
            "excessive_working_hours": "yes",
            "hazardous_work": "yes",
            "protection_possibly_child_age_uncertain": "yes",
            "protection_no_identity_documents": "yes",
        },
    },
}
DEMO_READINESS = {
    "private_space": True,
    "present": "",
    "same_sex_offered": True,
    "interpreter": "none",
    "interpreter_neutral": False,
    "rights_explained": True,
    "may_decline_explained": True,
    "consent": "consent",
    "medical_checked": True,
    "medical_urgent": False,
}


def _demo_screening(
    actor: User, spec: dict[str, Any], person: Person, case: Case | None
) -> Screening:
    screening = start_screening(actor, readiness=DEMO_READINESS, person=person, case=case)
    profile = {**spec["profile"], "interview_language": "en"}
    set_profile(actor, screening, profile, expected_version=screening.version)
    for topic in screening_engine.TOPIC_ORDER:
        ids = {i.id for i in screening_engine.indicators_for(topic)}
        answers = {k: v for k, v in spec["answers"].items() if k in ids}
        record_answers(actor, screening, topic, answers, {}, expected_version=screening.version)
    result = screening_engine.evaluate(profile, spec["answers"], "en")
    complete(
        actor, screening, judgement=result.outcome, reason="", expected_version=screening.version
    )
    return screening


class Command(BaseCommand):
    help = "Load fictional demo organisations, users (one per role) and people, then print logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is refused in production (HAVEN_ENV=production).")
        rows = []
        self.story_cases: dict[str, Case] = {}
        self.org_users: dict[str, dict[Role, User]] = {}
        for prefix, name, org_type, country, jurisdiction in ORGANISATIONS:
            org, _created = ensure_organisation(
                actor=None, name=name, org_type=org_type, country=country
            )
            if org.jurisdiction != jurisdiction:
                Organisation.objects.filter(pk=org.pk).update(jurisdiction=jurisdiction)
                org.jurisdiction = jurisdiction
            users = {
                role: self._user(org, f"{prefix}-{login}", role, DEMO_TRANSLATES.get(prefix, []))
                for role, login in ROLE_LOGINS.items()
            }
            self.org_users[prefix] = users
            self._people(org, prefix, users)
            if prefix == "police":
                self._anonymous(org, users)
            rows += [(org.name, users[role]) for role in ROLE_LOGINS]
        directory_demo.load()
        rows += hotline_demo.seed(self._user)
        campaigns_demo.seed(self.org_users["ngo"])
        stories = self.story_cases
        if "first_negative_still_helped" in stories and "final_negative" in stories:
            referrals_demo.load(
                self.org_users["police"],
                self.org_users["ngo"],
                stories["first_negative_still_helped"],
                stories["final_negative"],
            )
        rows += training_demo.seed(self._user)
        rows += community_demo.seed(self._user)
        statistics_facts.refresh()  # the statistics pages read these (cron refreshes them)
        if not options["quiet"]:
            self._print(rows)

    def _user(self, org: Organisation, username: str, role: Role, translates: list[str]) -> User:
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        return create_user(
            actor=None,
            organisation_id=org.pk,
            username=username,
            password=DEMO_PASSWORD,
            roles=[role.value],
            totp_secret=generate_totp_secret(),
            translation_languages=translates if role == Role.TRANSLATOR else [],
        )

    def _people(self, org: Organisation, prefix: str, users: dict[Role, User]) -> None:
        screener, worker = users[Role.SCREENER], users[Role.CASE_WORKER]
        for spec in PEOPLE[prefix]:
            data = {k: v for k, v in spec.items() if k not in DEMO_KEYS}
            digest = crypto.blind_index(IndexKind.NAME, crypto.normalise_text(data["full_name"]))
            if PersonIndex.objects.filter(
                person__organisation=org, kind=IndexKind.NAME, digest=digest
            ).exists():
                continue
            person = create_person(screener, data)
            case = None
            if spec["case"]:
                case = open_case(
                    worker,
                    person,
                    assigned_to=worker,
                    opened_on=timezone.localdate() - dt.timedelta(days=3),
                    summary="Fictional demo case. Nothing here is about a real person.",
                )
            if case is not None and spec.get("child"):
                child_safeguards(users, case)
            if "screening" in spec:
                screening = _demo_screening(screener, SCREENINGS[spec["screening"]], person, case)
                if spec.get("hand_over"):
                    intake.hand_over(screener, screening)
            if case is not None and "story" in spec:
                STORIES[spec["story"]](users, case)
                self.story_cases[spec["story"]] = case

    def _anonymous(self, org: Organisation, users: dict[Role, User]) -> None:
        """A paused screening from a hotline call: no identity known yet."""
        if Screening.objects.filter(organisation=org, person__isnull=True).exists():
            return
        screener = users[Role.SCREENER]
        screening = start_screening(screener, readiness=DEMO_READINESS)
        profile: dict[str, Any] = {
            "age_at_events": None,
            "possibly_child": True,
            "exploitation": [],
            "interview_language": "en",
        }
        set_profile(screener, screening, profile, expected_version=screening.version)
        answers = {
            "protection_feels_unsafe_now": "yes",
            "protection_needs_safe_place_tonight": "yes",
        }
        record_answers(
            screener, screening, "safety", answers, {}, expected_version=screening.version
        )

    def _print(self, rows: list[tuple[str, User]]) -> None:
        self.stdout.write("")
        self.stdout.write("Haven demo logins (fictional data, for testing only)")
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        self.stdout.write("Second step: add the secret to an authenticator app, or run")
        self.stdout.write("  oathtool --totp -b SECRET")
        current = ""
        for org_name, user in rows:
            if org_name != current:
                self.stdout.write(f"\n{org_name}")
                current = org_name
            roles = ", ".join(user.role_labels())
            secret = authenticator_secret(user)
            self.stdout.write(f"  {user.username:<22} {secret}  ({roles})")
        self.stdout.write("")
