"""Identification: the table of moves, who may take each step, deadlines per jurisdiction,
notifications, the `haven jurisdictions` command and the status-change page.

The person is helped on the presumption; formal decisions follow. Every move goes through
`haven.identification.actions.change_status`, which applies one table: these tests walk
every pair of statuses through it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import open_case
from haven.cases.models import Case, CaseEvent, EventKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.identification import jurisdictions
from haven.identification.actions import allowed_roles, change_status, legal_targets
from haven.identification.jurisdictions import JurisdictionError
from haven.identification.models import IdentificationChange
from haven.identification.status import (
    DECISIONS,
    HTCDS_STATUS,
    TRANSITIONS,
    DecisionOrganisation,
    IdentificationStatus,
    Move,
    TraffickingStatus,
)
from haven.screening.actions import start_screening
from haven.screening.models import Screening, ScreeningStatus
from tests.personas import READY, HavenTestCase

S = IdentificationStatus
BASIS = "Indicators of forced labour in the interview; passport held by the employer"
CASE_FIELDS = frozenset(f.name for f in Case._meta.get_fields())
TARGET_RADIO = re.compile(r'<input\b[^>]*\bname="target"[^>]*\bvalue="([^"]+)"')


def today() -> dt.date:
    return timezone.localdate()


def put(case: Case, status: S, **fields: Any) -> Case:
    """Put the case straight into `status` (test setup only) and return it fresh."""
    Case.objects.filter(pk=case.pk).update(identification_status=status, **fields)
    return Case.objects.get(pk=case.pk)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a move could change, to prove a refused one changed nothing."""
    current = Case.objects.get(pk=case.pk)
    return {
        "version": current.version,
        "status": current.identification_status,
        "trafficking": current.trafficking_status,
        "deadlines": (
            current.presumed_on,
            current.first_decision_due,
            current.first_decision_on,
            current.final_decision_earliest,
            current.final_decision_due,
            current.reflection_starts,
            current.reflection_ends,
        ),
        "changes": IdentificationChange.objects.filter(case=current).count(),
        "audit": AuditEntry.objects.count(),
        "events": CaseEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def move(actor: User, case: Case, target: str, *, on: dt.date | None = None, basis: str = BASIS):
    """Apply one move with the case's current version."""
    current = Case.objects.get(pk=case.pk)
    return change_status(
        actor,
        current,
        target,
        decided_on=on or today(),
        basis=basis,
        expected_version=current.version,
    )


def offered_targets(response: HttpResponse) -> set[str]:
    return set(TARGET_RADIO.findall(response.content.decode()))


class IdentificationTestCase(HavenTestCase):
    org = "A"  # an NGO

    @property
    def case(self) -> Case:
        return Case.objects.get(pk=self.world.cases[self.org].pk)

    @property
    def worker(self) -> User:
        return self.world.user(self.org, Role.CASE_WORKER)

    @property
    def officer(self) -> User:
        return self.world.user(self.org, Role.DETERMINATION_OFFICER)

    def assertRefusedAndUnchanged(self, actor: User, case: Case, target: str, **kwargs: Any):
        before = snapshot(case)
        with self.assertRaises(RefusedError) as refused:
            move(actor, case, target, **kwargs)
        self.assertTrue(refused.exception.message)
        self.assertEqual(snapshot(case), before)
        return refused.exception


# --- 1. The table, every pair ------------------------------------------------------------


class TransitionTableTests(IdentificationTestCase):
    def test_every_pair_of_statuses_follows_the_table(self) -> None:
        for old in S:
            for new in S:
                with self.subTest(old=old.value, new=new.value), transaction.atomic():
                    if (old, new) in TRANSITIONS:
                        self.check_legal(old, new, TRANSITIONS[(old, new)])
                    else:
                        self.check_illegal(old, new)
                    transaction.set_rollback(True)  # next pair starts from the fixture

    def check_illegal(self, old: S, new: S) -> None:
        case = put(self.case, old, trafficking_status=HTCDS_STATUS[old] or "")
        for actor in (self.officer, self.worker, self.world.user("A", Role.SUPERVISOR)):
            self.assertRefusedAndUnchanged(actor, case, new)
            self.assertEqual(Case.objects.get(pk=case.pk).identification_status, old)

    def check_legal(self, old: S, new: S, step: Move) -> None:
        actor = self.officer if step in DECISIONS else self.worker
        if step is Move.RETURN:
            # The person comes back to where they were: withdraw from `new` first.
            case = put(self.case, new, trafficking_status=HTCDS_STATUS[new] or "")
            move(self.worker, case, S.WITHDREW, basis="")
        else:
            case = put(self.case, old, trafficking_status=HTCDS_STATUS[old] or "")
        case = Case.objects.get(pk=case.pk)
        self.assertEqual(case.identification_status, old)
        before = snapshot(case)
        audit_before = AuditEntry.objects.filter(
            action=Action.IDENTIFICATION_CHANGE, object_ref=case.reference
        ).count()

        change = move(actor, case, new)

        after = Case.objects.get(pk=case.pk)
        self.assertEqual(after.identification_status, new)
        self.assertEqual(after.version, before["version"] + 1)
        expected_htcds = HTCDS_STATUS[new] or before["trafficking"]
        self.assertEqual(after.trafficking_status, expected_htcds)
        if new is S.WITHDREW:
            self.assertEqual(after.trafficking_status, before["trafficking"])
        # One change row: who, when, on what basis.
        self.assertEqual(
            IdentificationChange.objects.filter(case=case).count(), before["changes"] + 1
        )
        change.refresh_from_db()
        self.assertEqual(
            (change.from_status, change.to_status, change.move), (old, new, step.value)
        )
        self.assertEqual(change.decided_by, actor)
        self.assertEqual(change.decided_by_organisation, self.world.orgs["A"])
        self.assertEqual(change.decided_on, today())
        self.assertEqual(change.basis, BASIS)
        expected_org = (
            DecisionOrganisation.COURT
            if step is Move.COURT
            else DecisionOrganisation.NGO
            if step in DECISIONS
            else ""
        )
        self.assertEqual(change.decision_organisation_type, expected_org)
        # One audit row, names only.
        self.assertEqual(AuditEntry.objects.count(), before["audit"] + 1)
        entries = AuditEntry.objects.filter(
            action=Action.IDENTIFICATION_CHANGE, object_ref=case.reference
        )
        self.assertEqual(entries.count(), audit_before + 1)
        entry = entries.order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.actor, actor)
        self.assertIn("identification_status", entry.changed_fields)
        self.assertLessEqual(set(entry.changed_fields), CASE_FIELDS | {"basis"})
        dumped = json.dumps(entry.changed_fields)
        self.assertNotIn(BASIS, dumped)
        for value in (*S.values, *TraffickingStatus.values):
            self.assertNotIn(f'"{value}"', dumped)
        # One entry in the case history, a code only.
        self.assertEqual(CaseEvent.objects.count(), before["events"] + 1)
        event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
        assert event is not None
        self.assertEqual(
            (event.kind, event.code, event.actor), (EventKind.IDENTIFICATION, new, actor)
        )

    def test_return_goes_only_to_the_status_before_withdrawal(self) -> None:
        case = put(self.case, S.FIRST_POSITIVE, trafficking_status=TraffickingStatus.POSSIBLE)
        move(self.worker, case, S.WITHDREW)
        for other in (S.SCREENED, S.PRESUMED, S.FINAL_POSITIVE, S.NOT_A_VICTIM):
            with self.subTest(target=other.value):
                self.assertRefusedAndUnchanged(self.worker, case, other)
        move(self.worker, case, S.FIRST_POSITIVE)
        self.assertEqual(self.case.identification_status, S.FIRST_POSITIVE)
        self.assertEqual(self.case.trafficking_status, TraffickingStatus.POSSIBLE)

    def test_return_after_a_second_withdrawal_goes_to_the_latest_status(self) -> None:
        case = put(self.case, S.PRESUMED)
        move(self.worker, case, S.WITHDREW)
        move(self.worker, case, S.PRESUMED)
        move(self.officer, case, S.FIRST_POSITIVE)
        move(self.worker, case, S.WITHDREW)
        self.assertRefusedAndUnchanged(self.worker, case, S.PRESUMED)
        move(self.worker, case, S.FIRST_POSITIVE)
        self.assertEqual(self.case.identification_status, S.FIRST_POSITIVE)

    def test_after_withdrawal_only_the_way_back_is_offered(self) -> None:
        """legal_targets must not offer returns that change_status will refuse."""
        case = put(self.case, S.PRESUMED, trafficking_status=TraffickingStatus.POSSIBLE)
        move(self.worker, case, S.WITHDREW)
        self.assertEqual(legal_targets(self.worker, self.case), [S.PRESUMED])
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("identification:change", args=[case.reference])
        )
        self.assertEqual(offered_targets(page), {S.PRESUMED.value})

    def test_unknown_target_is_refused(self) -> None:
        for actor in (self.worker, self.officer):
            self.assertRefusedAndUnchanged(actor, self.case, "deported")

    def test_stale_version_is_refused(self) -> None:
        case = self.case
        before = snapshot(case)
        with self.assertRaises(ConcurrentEditError):
            change_status(
                self.worker,
                case,
                S.PRESUMED,
                decided_on=today(),
                basis=BASIS,
                expected_version=case.version + 5,
            )
        self.assertEqual(snapshot(case), before)

    def test_decision_relies_only_on_screenings_of_this_case(self) -> None:
        # A second case of the same organisation, for the same person.
        other_case = open_case(
            self.worker,
            self.world.people["A"],
            assigned_to=self.worker,
            opened_on=dt.date(2026, 2, 1),
            summary="",
            confirmed_second_case=True,
        )
        own = start_screening(
            self.worker, readiness=READY, person=self.world.people["A"], case=other_case
        )
        # Only a completed screening can support a decision (refused otherwise, below).
        Screening.objects.filter(pk=own.pk).update(status=ScreeningStatus.COMPLETED)
        own.refresh_from_db()
        current = Case.objects.get(pk=other_case.pk)
        change = change_status(
            self.worker,
            current,
            S.PRESUMED,
            decided_on=today(),
            basis=BASIS,
            screenings=[own],
            expected_version=current.version,
        )
        self.assertEqual(list(change.screenings.all()), [own])
        for foreign in (self.world.screenings["B"], self.world.screenings["A"]):
            with self.subTest(screening_of=foreign.case.reference):
                current = Case.objects.get(pk=other_case.pk)
                before = snapshot(current)
                with self.assertRaises(RefusedError):
                    change_status(
                        self.officer,
                        current,
                        S.FIRST_POSITIVE,
                        decided_on=today(),
                        basis=BASIS,
                        screenings=[foreign],
                        expected_version=current.version,
                    )
                self.assertEqual(snapshot(current), before)


# --- 2. Who may take which step --------------------------------------------------------


class RoleRuleTests(IdentificationTestCase):
    def test_case_worker_cannot_take_a_first_decision(self) -> None:
        case = put(self.case, S.PRESUMED)
        for target in (S.FIRST_POSITIVE, S.FIRST_NEGATIVE):
            with self.subTest(target=target.value):
                self.assertRefusedAndUnchanged(self.worker, case, target)
        self.assertNotIn(S.FIRST_POSITIVE, legal_targets(self.worker, case))
        move(self.officer, case, S.FIRST_POSITIVE)
        self.assertEqual(self.case.identification_status, S.FIRST_POSITIVE)

    def test_case_worker_cannot_take_a_final_decision(self) -> None:
        case = put(self.case, S.FIRST_POSITIVE)
        for target in (S.FINAL_POSITIVE, S.FINAL_NEGATIVE):
            with self.subTest(target=target.value):
                self.assertRefusedAndUnchanged(self.worker, case, target)
        move(self.officer, case, S.FINAL_NEGATIVE)
        self.assertEqual(self.case.identification_status, S.FINAL_NEGATIVE)
        self.assertEqual(self.case.trafficking_status, TraffickingStatus.NOT_A_VICTIM)

    def test_case_worker_cannot_reconsider_a_decision(self) -> None:
        self.assertRefusedAndUnchanged(
            self.worker, put(self.case, S.FIRST_NEGATIVE), S.FIRST_POSITIVE
        )
        self.assertRefusedAndUnchanged(
            self.worker, put(self.case, S.FINAL_NEGATIVE), S.FINAL_POSITIVE
        )

    def test_screener_has_no_access_to_the_change_page(self) -> None:
        url = reverse("identification:change", args=[self.case.reference])
        client = self.client_for("A", Role.SCREENER)
        before = snapshot(self.case)
        self.assertEqual(client.get(url).status_code, 403)
        response = client.post(
            url, {"target": "presumed", "decided_on": today().isoformat(), "version": "1"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(self.case), before)

    def test_another_organisation_cannot_reach_the_case(self) -> None:
        url = reverse("identification:change", args=[self.case.reference])
        client = self.client_for("B", Role.DETERMINATION_OFFICER)
        self.assertEqual(client.get(url).status_code, 404)

    def test_decision_without_a_basis_is_refused(self) -> None:
        for old, new in ((S.PRESUMED, S.FIRST_POSITIVE), (S.SCREENED, S.NOT_A_VICTIM)):
            with self.subTest(new=new.value):
                error = self.assertRefusedAndUnchanged(
                    self.officer, put(self.case, old), new, basis="   \n "
                )
                self.assertIn("basis", error.message)

    def test_withdrawal_needs_no_basis(self) -> None:
        change = move(self.worker, put(self.case, S.PRESUMED), S.WITHDREW, basis="")
        self.assertEqual(change.basis, "")
        self.assertEqual(change.decision_organisation_type, "")

    def test_date_in_the_future_is_refused(self) -> None:
        tomorrow = today() + dt.timedelta(days=1)
        self.assertRefusedAndUnchanged(self.worker, self.case, S.PRESUMED, on=tomorrow)
        self.assertRefusedAndUnchanged(
            self.officer, put(self.case, S.PRESUMED), S.FIRST_POSITIVE, on=tomorrow
        )


# --- 3. Deadlines ----------------------------------------------------------------------


def custom_profile_data() -> dict[str, Any]:
    return {
        "id": "custom",
        "name": "Custom test profile",
        "source": "tests",
        "weekend": [4, 5],  # Friday and Saturday
        "holidays": ["2026-03-09", "2026-03-18"],
        "presumption": {"name": "Presumed", "roles": ["case_worker"]},
        "first_decision": {
            "name": "First",
            "roles": ["determination_officer"],
            "target_working_days": 3,
        },
        "final_decision": {
            "name": "Final",
            "roles": ["determination_officer", "coordinator"],
            "not_before_days": 7,
            "target_working_days": 2,
        },
        "reflection": {"days": 14, "starts_at": "presumption", "removal_allowed": False},
    }


def test_add_working_days_skips_weekends_and_nrm_holidays() -> None:
    nrm = jurisdictions.get("nrm")
    # 2026-12-23 is a Wednesday; 25 and 28 December and 1 January are holidays.
    assert nrm.add_working_days(dt.date(2026, 12, 23), 5) == dt.date(2027, 1, 4)
    assert nrm.add_working_days(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 24)
    assert nrm.add_working_days(dt.date(2026, 12, 23), 2) == dt.date(2026, 12, 29)
    assert nrm.add_working_days(dt.date(2026, 12, 23), 0) == dt.date(2026, 12, 23)
    generic = jurisdictions.get("generic")
    # Friday + 1 working day is the Monday; the generic profile has 25 December too.
    assert generic.add_working_days(dt.date(2026, 3, 6), 1) == dt.date(2026, 3, 9)
    assert generic.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert not generic.is_working_day(dt.date(2026, 12, 25))
    with pytest.raises(ValueError):
        generic.add_working_days(dt.date(2026, 3, 6), -1)


def test_nrm_decision_windows() -> None:
    nrm = jurisdictions.get("nrm")
    assert nrm.first_decision_due(dt.date(2026, 3, 2)) == dt.date(2026, 3, 9)
    # 30 calendar days after the first decision, then 65 working days (4 May, 25 May off).
    assert nrm.final_decision_window(dt.date(2026, 3, 10)) == (
        dt.date(2026, 4, 9),
        dt.date(2026, 7, 13),
    )
    assert nrm.reflection_period(dt.date(2026, 3, 10)) == (
        dt.date(2026, 3, 10),
        dt.date(2026, 4, 8),
    )


def test_profile_with_its_own_weekend_and_holidays() -> None:
    profile = jurisdictions.parse(custom_profile_data(), "custom.toml")
    assert profile.weekend == frozenset({4, 5})
    # Wed 4 March + 3: Thu 5 (1), Fri/Sat weekend, Sun 8 (2), Mon 9 holiday, Tue 10 (3).
    assert profile.first_decision_due(dt.date(2026, 3, 4)) == dt.date(2026, 3, 10)
    # Earliest 7 days after 10 March = Tue 17; +2: Wed 18 holiday, Thu 19, Fri/Sat, Sun 22.
    assert profile.final_decision_window(dt.date(2026, 3, 10)) == (
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 22),
    )
    assert profile.reflection_period(dt.date(2026, 3, 4)) == (
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 17),
    )
    assert profile.final_decision.roles == frozenset({"determination_officer", "coordinator"})
    assert profile.presumption.target_working_days is None
    assert profile.first_decision_due(dt.date(2026, 3, 4)) is not None


def _broken(change: Any) -> dict[str, Any]:
    data = custom_profile_data()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["first_decision"].__setitem__("roles", ["judge"]),
            "x.toml [first_decision]: roles",
        ),
        (lambda d: d["presumption"].__setitem__("roles", []), "x.toml [presumption]: roles"),
        (lambda d: d.__setitem__("holidays", ["2026-02-30"]), "x.toml: holidays"),
        (lambda d: d.__setitem__("holidays", ["next friday"]), "x.toml: holidays"),
        (lambda d: d.pop("reflection"), "x.toml: needs a [reflection] table"),
        (lambda d: d.pop("final_decision"), "x.toml: needs a [final_decision] table"),
        (lambda d: d.__setitem__("weekend", [7]), "x.toml: weekend"),
        (lambda d: d.pop("id"), "x.toml: id must be a str"),
        (lambda d: d["reflection"].__setitem__("days", 0), "x.toml [reflection]: days"),
        (lambda d: d["reflection"].__setitem__("starts_at", "arrest"), "x.toml [reflection]"),
        (
            lambda d: d["first_decision"].__setitem__("target_working_days", 0),
            "x.toml [first_decision]: target_working_days",
        ),
        (
            lambda d: d["final_decision"].__setitem__("not_before_days", -1),
            "x.toml [final_decision]: not_before_days",
        ),
        (
            lambda d: d["first_decision"].__setitem__(
                "competent_authority", {"org_types": ["Police"], "organisation": "X"}
            ),
            "x.toml [first_decision] competent_authority: give org_types or organisation",
        ),
        (
            lambda d: d["first_decision"].__setitem__("competent_authority", {"org_types": []}),
            "x.toml [first_decision] competent_authority: org_types",
        ),
        (
            lambda d: d["final_decision"].__setitem__("competent_authority", {"organisation": " "}),
            "x.toml [final_decision] competent_authority: organisation",
        ),
        (
            lambda d: d["final_decision"].__setitem__("competent_authority", "the police"),
            "x.toml [final_decision] competent_authority",
        ),
        (lambda d: d["reflection"].__setitem__("notice", 30), "x.toml [reflection]: notice"),
        (
            lambda d: d.__setitem__("emergency", {"second_case_worker": "yes"}),
            "x.toml [emergency]: second_case_worker must be a bool",
        ),
        (
            lambda d: d.__setitem__("emergency", {"second_supervisor": True}),
            "x.toml: [emergency] may only say second_case_worker",
        ),
        (lambda d: d.__setitem__("emergency", True), "x.toml: [emergency]"),
        (
            lambda d: d["reflection"].__setitem__("notices", {"th": ""}),
            "x.toml [reflection]: notices must map language codes",
        ),
    ],
)
def test_bad_profile_is_refused_naming_file_and_entry(change: Any, expected: str) -> None:
    with pytest.raises(JurisdictionError) as error:
        jurisdictions.parse(_broken(change), "x.toml")
    assert expected in str(error.value)


def test_holidays_that_are_not_a_list_are_refused_as_a_profile_error() -> None:
    """`holidays = 2026` (a typo for a list) must be a JurisdictionError naming the file,
    not a TypeError from deep inside the loader."""
    data = custom_profile_data()
    data["holidays"] = 2026
    with pytest.raises(JurisdictionError, match=r"^x\.toml: holidays"):
        jurisdictions.parse(data, "x.toml")


def test_unknown_role_error_names_the_role() -> None:
    data = custom_profile_data()
    data["final_decision"]["roles"] = ["determination_officer", "magistrate"]
    with pytest.raises(JurisdictionError, match="magistrate"):
        jurisdictions.parse(data, "x.toml")


GOOD_TOML = """
id = "{ident}"
name = "Test"
source = "tests"
weekend = [5, 6]
holidays = ["2026-01-01"]

[presumption]
name = "Presumed"
roles = [{presumption_roles}]

[first_decision]
name = "First"
roles = ["determination_officer"]
target_working_days = 10

[final_decision]
name = "Final"
roles = ["determination_officer"]

[reflection]
days = 30
starts_at = "presumption"
removal_allowed = false
"""


def _write(folder: Path, name: str, ident: str = "t", roles: str = '"case_worker"') -> None:
    (folder / name).write_text(
        GOOD_TOML.format(ident=ident, presumption_roles=roles), encoding="utf-8"
    )


def test_load_reads_a_folder_of_profiles(tmp_path: Path) -> None:
    _write(tmp_path, "one.toml", ident="one")
    _write(tmp_path, "two.toml", ident="two")
    profiles = jurisdictions.load(tmp_path)
    assert sorted(profiles) == ["one", "two"]
    assert profiles["one"].first_decision_due(dt.date(2026, 3, 2)) == dt.date(2026, 3, 16)
    # No [emergency] table: only a supervisor approves emergency sharing.
    assert profiles["one"].second_case_worker is False


def test_load_names_the_bad_file(tmp_path: Path) -> None:
    _write(tmp_path, "good.toml", ident="good")
    _write(tmp_path, "bad.toml", ident="bad", roles='"case_worker", "janitor"')
    with pytest.raises(JurisdictionError) as error:
        jurisdictions.load(tmp_path)
    assert str(error.value).startswith("bad.toml [presumption]")
    assert "janitor" in str(error.value)


def test_load_refuses_broken_toml_duplicates_and_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(JurisdictionError, match="no jurisdiction files"):
        jurisdictions.load(tmp_path)
    (tmp_path / "broken.toml").write_text("id = [unterminated", encoding="utf-8")
    with pytest.raises(JurisdictionError, match=r"^broken\.toml: not valid TOML"):
        jurisdictions.load(tmp_path)
    (tmp_path / "broken.toml").unlink()
    _write(tmp_path, "a.toml", ident="same")
    _write(tmp_path, "b.toml", ident="same")
    with pytest.raises(JurisdictionError, match=r"^b\.toml: id same is used twice"):
        jurisdictions.load(tmp_path)


def test_shipped_profiles_load() -> None:
    assert set(jurisdictions.load()) == {"generic", "nrm"}
    assert jurisdictions.get("generic").second_case_worker is True
    assert jurisdictions.get("nrm").second_case_worker is False
    with pytest.raises(JurisdictionError, match="unknown jurisdiction"):
        jurisdictions.get("atlantis")


class DeadlineTests(IdentificationTestCase):
    def test_generic_presumption_sets_first_decision_due_and_reflection(self) -> None:
        case = self.case
        self.assertEqual(case.jurisdiction, "generic")
        move(self.worker, case, S.PRESUMED, on=dt.date(2026, 3, 2))  # a Monday
        case = self.case
        self.assertEqual(case.presumed_on, dt.date(2026, 3, 2))
        self.assertEqual(case.first_decision_due, dt.date(2026, 3, 16))  # 10 working days
        self.assertEqual(case.reflection_starts, dt.date(2026, 3, 2))
        self.assertEqual(case.reflection_ends, dt.date(2026, 3, 31))  # start + 29
        self.assertEqual(case.trafficking_status, TraffickingStatus.POSSIBLE)

        move(self.officer, case, S.FIRST_POSITIVE, on=dt.date(2026, 3, 10))
        case = self.case
        self.assertEqual(case.first_decision_on, dt.date(2026, 3, 10))
        self.assertIsNone(case.first_decision_due)
        self.assertEqual(case.final_decision_earliest, dt.date(2026, 3, 10))
        self.assertEqual(case.final_decision_due, dt.date(2026, 4, 21))  # 30 working days
        # The reflection period runs once, from its first start.
        self.assertEqual(
            (case.reflection_starts, case.reflection_ends),
            (dt.date(2026, 3, 2), dt.date(2026, 3, 31)),
        )

    def test_decision_by_law_enforcement_is_recorded_as_police(self) -> None:
        case = put(Case.objects.get(pk=self.world.cases["B"].pk), S.PRESUMED)
        change = move(self.world.user("B", Role.DETERMINATION_OFFICER), case, S.FIRST_POSITIVE)
        self.assertEqual(change.decision_organisation_type, DecisionOrganisation.POLICE)
        court = move(
            self.world.user("B", Role.CASE_WORKER), put(case, S.FINAL_POSITIVE), S.CONFIRMED
        )
        self.assertEqual(court.decision_organisation_type, DecisionOrganisation.COURT)


class NrmTests(IdentificationTestCase):
    """The nrm profile names law enforcement (or central government) as the competent
    authority for its formal decisions: these run on organisation B, the police."""

    org = "B"

    def test_nrm_final_decision_not_before_the_earliest_date(self) -> None:
        case = put(self.case, S.SCREENED, jurisdiction="nrm")
        first_on = today() - dt.timedelta(days=10)
        move(self.worker, case, S.PRESUMED, on=first_on - dt.timedelta(days=1))
        move(self.officer, case, S.FIRST_POSITIVE, on=first_on)
        earliest = first_on + dt.timedelta(days=30)
        self.assertEqual(self.case.final_decision_earliest, earliest)
        error = self.assertRefusedAndUnchanged(self.officer, case, S.FINAL_POSITIVE, on=today())
        self.assertIn(earliest.isoformat(), error.message)

    def test_nrm_final_decision_on_the_earliest_date_is_accepted(self) -> None:
        case = put(self.case, S.SCREENED, jurisdiction="nrm")
        first_on = today() - dt.timedelta(days=40)
        move(self.worker, case, S.PRESUMED, on=first_on - dt.timedelta(days=2))
        move(self.officer, case, S.FIRST_POSITIVE, on=first_on)
        self.assertRefusedAndUnchanged(
            self.officer, case, S.FINAL_POSITIVE, on=first_on + dt.timedelta(days=29)
        )
        move(self.officer, case, S.FINAL_POSITIVE, on=first_on + dt.timedelta(days=30))
        final = self.case
        self.assertEqual(final.identification_status, S.FINAL_POSITIVE)
        self.assertEqual(final.trafficking_status, TraffickingStatus.ACTUAL)
        self.assertIsNone(final.final_decision_due)
        change = IdentificationChange.objects.filter(case=final).order_by("-pk").first()
        assert change is not None
        self.assertEqual(change.decision_name, "Conclusive grounds decision")

    def test_nrm_reflection_starts_at_a_positive_first_decision(self) -> None:
        case = put(self.case, S.SCREENED, jurisdiction="nrm")
        move(self.worker, case, S.PRESUMED, on=dt.date(2026, 3, 2))
        case = self.case
        self.assertEqual(case.first_decision_due, dt.date(2026, 3, 9))  # 5 working days
        self.assertIsNone(case.reflection_starts)
        self.assertIsNone(case.reflection_ends)

        move(self.officer, case, S.FIRST_POSITIVE, on=dt.date(2026, 3, 10))
        case = self.case
        self.assertEqual(case.final_decision_earliest, dt.date(2026, 4, 9))  # first + 30 days
        self.assertEqual(case.final_decision_due, dt.date(2026, 7, 13))
        self.assertEqual(case.reflection_starts, dt.date(2026, 3, 10))
        self.assertEqual(case.reflection_ends, dt.date(2026, 4, 8))
        change = IdentificationChange.objects.filter(case=case).order_by("-pk").first()
        assert change is not None
        self.assertEqual(change.decision_name, "Reasonable grounds decision")

    def test_a_step_cannot_be_dated_before_the_step_it_follows(self) -> None:
        """A first decision dated before the presumption it decides on is inconsistent; in
        the nrm profile it would also start the 30-day wait before the conclusive decision
        (and the reflection period) in the past, so a final decision could follow at once."""
        case = put(self.case, S.SCREENED, jurisdiction="nrm")
        presumed_on = today() - dt.timedelta(days=5)
        move(self.worker, case, S.PRESUMED, on=presumed_on)
        self.assertRefusedAndUnchanged(
            self.officer, case, S.FIRST_POSITIVE, on=presumed_on - dt.timedelta(days=40)
        )

    def test_nrm_negative_first_decision_starts_no_reflection(self) -> None:
        case = put(self.case, S.SCREENED, jurisdiction="nrm")
        move(self.worker, case, S.PRESUMED, on=dt.date(2026, 3, 2))
        move(self.officer, case, S.FIRST_NEGATIVE, on=dt.date(2026, 3, 6))
        case = self.case
        self.assertIsNone(case.reflection_starts)
        self.assertIsNone(case.final_decision_earliest)
        self.assertIsNone(case.first_decision_due)
        self.assertEqual(case.trafficking_status, TraffickingStatus.NOT_A_VICTIM)
        # Reconsidered: now the period starts.
        move(self.officer, case, S.FIRST_POSITIVE, on=dt.date(2026, 3, 20))
        case = self.case
        self.assertEqual(case.reflection_starts, dt.date(2026, 3, 20))
        self.assertEqual(case.final_decision_earliest, dt.date(2026, 4, 19))


# --- 4. Notifications ------------------------------------------------------------------


class NotificationTests(IdentificationTestCase):
    def notified(self, event: CaseEvent) -> set[User]:
        return {n.user for n in Notification.objects.filter(event=event)}

    def test_decision_notifies_case_worker_and_supervisors_not_the_actor(self) -> None:
        case = put(self.case, S.PRESUMED)
        move(self.officer, case, S.FIRST_POSITIVE)
        event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
        assert event is not None
        self.assertEqual(
            self.notified(event),
            {self.worker, self.world.user("A", Role.SUPERVISOR)},
        )

    def test_case_worker_is_not_notified_of_their_own_step(self) -> None:
        move(self.worker, self.case, S.PRESUMED)
        event = CaseEvent.objects.filter(case=self.case).order_by("-pk").first()
        assert event is not None
        self.assertEqual(self.notified(event), {self.world.user("A", Role.SUPERVISOR)})

    def test_nobody_of_another_organisation_is_notified(self) -> None:
        case = self.case
        move(self.worker, case, S.PRESUMED)
        move(self.officer, case, S.FIRST_POSITIVE)
        move(self.worker, case, S.WITHDREW)
        notes = Notification.objects.filter(event__case=case)
        self.assertTrue(notes.exists())
        self.assertFalse(notes.exclude(user__organisation=self.world.orgs["A"]).exists())
        for key in ("B",):
            for role in Role:
                self.assertFalse(notes.filter(user=self.world.user(key, role)).exists())

    def test_notifications_carry_status_codes_only(self) -> None:
        case = self.case
        move(self.worker, case, S.PRESUMED)
        move(self.officer, case, S.FIRST_NEGATIVE)
        notes = Notification.objects.filter(event__case=case, event__kind=EventKind.IDENTIFICATION)
        self.assertEqual(notes.count(), 3)  # supervisor twice, the case worker once
        for note in notes.select_related("event"):
            self.assertIn(note.event.code, S.values)
            self.assertNotIn(BASIS, note.event.code)
        shown = self.client_for("A", Role.SUPERVISOR).get(reverse("core:home"))
        self.assertContains(shown, case.reference)
        self.assertNotContains(shown, BASIS)


# --- 5. The `haven jurisdictions` command ------------------------------------------------


class JurisdictionsCommandTests(IdentificationTestCase):
    def test_json_lists_both_profiles(self) -> None:
        out = StringIO()
        call_command("jurisdictions", "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        profiles = {p["id"]: p for p in data["jurisdictions"]}
        self.assertEqual(set(profiles), {"generic", "nrm"})

        nrm = profiles["nrm"]
        self.assertEqual(nrm["first_decision"]["name"], "Reasonable grounds decision")
        self.assertEqual(nrm["first_decision"]["roles"], ["determination_officer"])
        self.assertEqual(nrm["first_decision"]["target_working_days"], 5)
        self.assertEqual(nrm["final_decision"]["name"], "Conclusive grounds decision")
        self.assertEqual(nrm["final_decision"]["target_working_days"], 65)
        self.assertEqual(nrm["final_decision"]["not_before_days"], 30)
        self.assertEqual(nrm["reflection"]["days"], 30)
        self.assertEqual(nrm["reflection"]["starts_at"], "first_decision")
        self.assertIs(nrm["reflection"]["removal_allowed"], False)
        self.assertIn("2026-12-28", nrm["holidays"])

        generic = profiles["generic"]
        self.assertEqual(
            generic["first_decision"]["name"], "Verification by the competent authority"
        )
        self.assertEqual(generic["first_decision"]["target_working_days"], 10)
        self.assertEqual(generic["final_decision"]["target_working_days"], 30)
        self.assertEqual(
            generic["presumption"]["roles"],
            ["case_worker", "determination_officer", "supervisor"],
        )
        self.assertEqual(generic["reflection"]["days"], 30)
        self.assertEqual(generic["reflection"]["starts_at"], "presumption")
        self.assertEqual(generic["weekend"], [5, 6])
        self.assertIs(generic["emergency"]["second_case_worker"], True)
        self.assertIs(nrm["emergency"]["second_case_worker"], False)

    def test_text_lists_both_profiles(self) -> None:
        out = StringIO()
        call_command("jurisdictions", stdout=out)
        text = out.getvalue()
        self.assertIn("generic:", text)
        self.assertIn("nrm:", text)
        self.assertIn("Reasonable grounds decision by determination_officer", text)
        self.assertIn("reflection: 30 days from first_decision", text)


# --- 6. The status-change page ---------------------------------------------------------


class ChangeViewTests(IdentificationTestCase):
    def url(self) -> str:
        return reverse("identification:change", args=[self.case.reference])

    def test_get_offers_only_the_users_legal_targets(self) -> None:
        page = self.client_for("A", Role.CASE_WORKER).get(self.url())
        self.assertEqual(page.status_code, 200)
        # "Not a victim" is a formal decision: offered only if the profile lets this role.
        may_decide = "case_worker" in allowed_roles(jurisdictions.get("generic"), Move.NOT_A_VICTIM)
        expected = {"presumed", "withdrew"} | ({"not_a_victim"} if may_decide else set())
        self.assertEqual(offered_targets(page), expected)
        self.assertEqual(
            offered_targets(page), {t.value for t in legal_targets(self.worker, self.case)}
        )
        officer_page = self.client_for("A", Role.DETERMINATION_OFFICER).get(self.url())
        self.assertEqual(offered_targets(officer_page), {"presumed", "not_a_victim", "withdrew"})

        put(self.case, S.PRESUMED)
        worker_page = self.client_for("A", Role.CASE_WORKER).get(self.url())
        self.assertEqual(offered_targets(worker_page), {"withdrew"})
        officer_page = self.client_for("A", Role.DETERMINATION_OFFICER).get(self.url())
        self.assertEqual(
            offered_targets(officer_page), {"first_positive", "first_negative", "withdrew"}
        )
        self.assertEqual(
            offered_targets(officer_page), {t.value for t in legal_targets(self.officer, self.case)}
        )

    def test_page_says_so_when_no_step_is_open(self) -> None:
        put(self.case, S.CONFIRMED)
        page = self.client_for("A", Role.CASE_WORKER).get(self.url())
        self.assertEqual(page.status_code, 200)
        self.assertEqual(offered_targets(page), set())
        self.assertContains(page, "Your role cannot take any step from the current status")

    def test_illegal_target_answers_400_and_changes_nothing(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        before = snapshot(self.case)
        for target in ("confirmed", "first_positive", "final_positive", "screened", "nonsense"):
            with self.subTest(target=target):
                response = client.post(
                    self.url(),
                    {
                        "target": target,
                        "decided_on": today().isoformat(),
                        "basis": BASIS,
                        "version": str(before["version"]),
                    },
                )
                self.assertEqual(response.status_code, 400)
                self.assertEqual(snapshot(self.case), before)

    def test_refused_decision_answers_400_with_the_reason(self) -> None:
        put(self.case, S.PRESUMED)
        before = snapshot(self.case)
        response = self.client_for("A", Role.DETERMINATION_OFFICER).post(
            self.url(),
            {
                "target": "first_positive",
                "decided_on": today().isoformat(),
                "basis": "  ",
                "version": str(before["version"]),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, escape("Say on what basis the decision was taken."), status_code=400
        )
        self.assertEqual(snapshot(self.case), before)

    def test_future_date_answers_400(self) -> None:
        before = snapshot(self.case)
        response = self.client_for("A", Role.CASE_WORKER).post(
            self.url(),
            {
                "target": "presumed",
                "decided_on": (today() + dt.timedelta(days=2)).isoformat(),
                "version": str(before["version"]),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(snapshot(self.case), before)

    def test_valid_post_redirects_and_history_shows_the_step(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        case = self.case
        response = client.post(
            self.url(),
            {
                "target": "presumed",
                "decided_on": today().isoformat(),
                "basis": BASIS,
                "screenings": [self.world.screenings["A"].reference],
                "version": str(case.version),
            },
        )
        detail = reverse("cases:detail", args=[case.reference])
        self.assertRedirects(response, detail + "#identification", fetch_redirect_response=False)
        self.assertEqual(self.case.identification_status, S.PRESUMED)
        page = client.get(detail)
        self.assertContains(page, "→ <strong>Presumed victim</strong>")
        self.assertContains(page, "Presumed victim: assistance starts now")
        self.assertContains(page, "Identification status recorded.")
        self.assertContains(page, self.world.screenings["A"].reference)
        self.assertContains(page, "Identification status changed")  # the history feed

    def test_stale_form_is_refused(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        version = self.case.version
        move(self.world.user("A", Role.SUPERVISOR), self.case, S.PRESUMED)
        before = snapshot(self.case)
        response = client.post(
            self.url(),
            {
                "target": "withdrew",
                "decided_on": today().isoformat(),
                "version": str(version),
            },
        )
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(snapshot(self.case), before)
        self.assertContains(client.get(self.url()), escape(stale_edit_message()))
