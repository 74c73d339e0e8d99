"""HTCDS files out and in: the round trip gives the same rows, identity leaves only with a
reason and is audited, a bad row imports nothing and is named, a file read twice creates
nothing twice, whatever encoding or spreadsheet made it, and no cell runs as a formula."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from haven.accounts.roles import Capability, Role
from haven.audit.chain import verify
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import IMPORTED_FIELDS
from haven.cases.models import Case, JourneyEvent
from haven.cases.synthetic import build_cases
from haven.core.errors import RefusedError
from haven.core.pseudonyms import CASE_PREFIX, PERSON_PREFIX, new_reference
from haven.interop import exporting, htcds, importing, reading
from haven.interop.models import Export
from haven.people.access import people_for
from haven.people.actions import search_people, update_person
from haven.people.models import DEMOGRAPHIC_FIELDS, IDENTITY_FIELDS, Person
from haven.stats import synthetic
from tests.personas import HavenTestCase

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "htcds"
CANARY = "Canary Zzyzx"


def table(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(rows: list[dict[str, str]], *, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class HtcdsTestCase(HavenTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = cls.world
        a = world.orgs["A"]
        supervisor = world.user("A", Role.SUPERVISOR)
        build_cases(a, supervisor, [world.user("A", Role.CASE_WORKER)], 40, first_number=80_000)
        synthetic.enrich(a, supervisor)
        person = world.people["A"]
        update_person(
            supervisor,
            person,
            {
                "full_name": f"{CANARY} Fixture",
                "given_name": CANARY,
                "family_name": "Fixture",
                "date_of_birth": "1990-04-01",
                "phone": "+66 81 234 5678",
                "address": '=HYPERLINK("http://example.invalid")',
                "documents": [{"type": "passport", "number": "X1234567"}],
            },
            expected_version=person.version,
        )

    def export(self, org: str = "A", **kwargs: object) -> exporting.Exported:
        return exporting.export(self.world.user(org, Role.SUPERVISOR), fmt="csv", **kwargs)  # type: ignore[arg-type]

    def import_(self, content: bytes, name: str = "cases.csv", **kwargs: bool) -> importing.Report:
        return importing.import_file(self.world.user("B", Role.ORG_ADMIN), content, name, **kwargs)

    def for_b(self, rows: list[dict[str, str]]) -> list[dict[str, str]]:
        """A's rows as if from another Haven: fresh references, B's case worker."""
        worker = self.world.user("B", Role.CASE_WORKER).username
        for row in rows:
            row["hvn_PersonReference"] = new_reference(PERSON_PREFIX)
            row["hvn_CaseReference"] = new_reference(CASE_PREFIX)
            row["cas_CaseOwner"] = worker if row["cas_CaseOwner"] else ""
        return rows


class ExportTests(HtcdsTestCase):
    def test_without_identity_no_identity_column_and_no_name(self) -> None:
        exported = self.export()
        self.assertNotIn("prs_FirstName", exported.columns)
        self.assertNotIn(CANARY.encode(), exported.content)
        rows = table(exported.content)
        self.assertEqual(len(rows), Case.objects.filter(organisation=self.world.orgs["A"]).count())
        self.assertEqual(set(rows[0]), {c.name for c in htcds.columns(identity=False)})
        self.assertEqual(AuditEntry.objects.filter(action=Action.HTCDS_EXPORT).count(), 1)

    def test_identity_needs_a_reason_is_registered_and_every_read_audited(self) -> None:
        with self.assertRaises(RefusedError):
            self.export(identity=True, reason=" ")
        before = AuditEntry.objects.filter(action=Action.PERSON_VIEW_IDENTITY).count()
        exported = self.export(identity=True, reason="Transfer to the national system")
        self.assertIn(CANARY.encode(), exported.content)
        self.assertTrue(exported.record.identity)
        self.assertEqual(
            Export.objects.get(pk=exported.record.pk).reason, "Transfer to the national system"
        )
        after = AuditEntry.objects.filter(action=Action.PERSON_VIEW_IDENTITY).count()
        self.assertEqual(after - before, exported.record.cases)
        entry = AuditEntry.objects.get(action=Action.HTCDS_EXPORT)
        self.assertNotIn(CANARY, str(entry.changed_fields) + entry.object_ref)

    def test_only_a_supervisor_exports_and_only_their_own_cases(self) -> None:
        for role in (Role.CASE_WORKER, Role.ANALYST, Role.ORG_ADMIN, Role.COORDINATOR):
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                exporting.export(self.world.user("A", role), fmt="csv")
        other = self.world.cases["A"].reference
        with self.assertRaises(RefusedError):
            self.export("B", case_reference=other)
        rows = table(self.export("B").content)
        self.assertNotIn(other, {row["hvn_CaseReference"] for row in rows})

    def test_no_cell_runs_as_a_formula_in_csv_or_excel(self) -> None:
        case = self.world.cases["A"].reference
        exported = self.export(case_reference=case, identity=True, reason="Check")
        (row,) = table(exported.content)
        self.assertEqual(row["prs_MailingStreet"], '\'=HYPERLINK("http://example.invalid")')
        self.assertEqual(row["prs_MobilePhone"], "'+66 81 234 5678")
        book = exporting.export(
            self.world.user("A", Role.SUPERVISOR),
            fmt="xlsx",
            case_reference=case,
            identity=True,
            reason="Check",
        )
        sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
        values = [c.value for r in sheet.iter_rows() for c in r]
        self.assertFalse([v for v in values if isinstance(v, str) and v[:1] in "=+-@"])


class RoundTripTests(HtcdsTestCase):
    def test_export_import_export_gives_the_same_rows(self) -> None:
        rows = self.for_b(table(self.export(identity=True, reason="Move").content))
        sent = as_csv(rows)
        report = self.import_(sent)
        self.assertEqual((report.problems, report.created), ([], len(rows)))
        again = table(self.export("B", identity=True, reason="Check").content)
        mine = {row["hvn_CaseReference"]: row for row in again}
        for row in rows:
            self.assertEqual(mine[row["hvn_CaseReference"]], row)
        # The place of exploitation went onto the journey.
        self.assertTrue(
            JourneyEvent.objects.filter(case__organisation=self.world.orgs["B"]).exists()
        )
        # Written in bulk, the rest is as the one-at-a-time actions leave it: every case
        # opened on its history, every person found by name, the audit chain intact.
        imported = Case.objects.filter(
            reference__in=[row["hvn_CaseReference"] for row in rows],
            organisation=self.world.orgs["B"],
        )
        for case in imported:
            self.assertEqual([e.code for e in case.events.all()], ["imported"])
            journey = case.journey.first()
            self.assertEqual((journey.place, journey.description), ("", ""))
        # Written as values, every field the file does not carry is the model's default.
        carried = {"id", "reference", "person", "organisation", "created_by", "assigned_to"}
        carried |= {"created_at", "updated_at", *IMPORTED_FIELDS, *IDENTITY_FIELDS}
        carried |= set(DEMOGRAPHIC_FIELDS)
        for record in [*imported, *(case.person for case in imported)]:
            fresh = type(record)()
            for field in type(record)._meta.concrete_fields:
                if field.name not in carried:
                    self.assertEqual(
                        getattr(record, field.attname), getattr(fresh, field.attname), field.name
                    )
        supervisor = self.world.user("B", Role.SUPERVISOR)
        visible = people_for(supervisor, Capability.PERSON_VIEW)
        for case in imported.select_related("person"):
            hits = search_people(supervisor, visible, name=case.person.full_name)
            self.assertIn(case.person, [hit.person for hit in hits])
        self.assertTrue(verify().ok)

    def test_values_written_in_bulk_are_sealed_each_with_its_own_nonce(self) -> None:
        (row,) = self.for_b(
            table(
                self.export(
                    case_reference=self.world.cases["A"].reference, identity=True, reason="Move"
                ).content
            )
        )
        twin = {
            **row,
            "hvn_PersonReference": new_reference(PERSON_PREFIX),
            "hvn_CaseReference": new_reference(CASE_PREFIX),
        }
        report = self.import_(as_csv([row, twin]), allow_possible_duplicates=True)
        self.assertEqual(report.created, 2)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT full_name FROM people_person WHERE reference IN (%s, %s)",
                [row["hvn_PersonReference"], twin["hvn_PersonReference"]],
            )
            sealed = [value for (value,) in cursor.fetchall()]
        self.assertEqual(len(set(sealed)), 2, "the same name sealed twice must differ")
        self.assertTrue(all(value.startswith("hv1$") for value in sealed), sealed)

    def test_importing_the_same_file_twice_creates_nothing_twice(self) -> None:
        sent = as_csv(self.for_b(table(self.export().content)))
        first = self.import_(sent)
        cases = Case.objects.count()
        second = self.import_(sent)
        self.assertEqual((second.created, second.skipped), (0, first.created))
        self.assertEqual(Case.objects.count(), cases)
        # Rows without references (another system's file) are known by their content.
        rows = table(sent)
        for row in rows:
            row["hvn_PersonReference"] = row["hvn_CaseReference"] = ""
        bare = as_csv(rows)
        made = self.import_(bare).created
        self.assertEqual(self.import_(bare).created, 0)
        self.assertEqual(Case.objects.count(), cases + made)

    def test_every_encoding_and_separator_reads_the_same(self) -> None:
        rows = self.for_b(table(self.export().content))[:5]
        text = as_csv(rows).decode("utf-8")
        expected = reading.read(as_csv(rows), "x.csv").rows
        for name, content in (
            ("utf-8 with BOM", text.encode("utf-8-sig")),
            ("utf-16 from Excel", as_csv(rows, delimiter="\t").decode().encode("utf-16")),
            ("semicolons", as_csv(rows, delimiter=";")),
        ):
            with self.subTest(name):
                self.assertEqual(reading.read(content, "x.csv").rows, expected)
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
        out = io.BytesIO()
        book.save(out)
        self.assertEqual(reading.read(out.getvalue(), "x.xlsx").rows, expected)


class BadInputTests(HtcdsTestCase):
    def assert_nothing_changed(self, content: bytes, name: str = "cases.csv") -> importing.Report:
        counts = (Person.objects.count(), Case.objects.count(), AuditEntry.objects.count())
        report = self.import_(content, name)
        self.assertFalse(report.imported)
        self.assertEqual(
            (Person.objects.count(), Case.objects.count(), AuditEntry.objects.count()), counts
        )
        return report

    def test_one_bad_row_imports_nothing_and_every_bad_cell_is_named(self) -> None:
        rows = self.for_b(table(self.export(identity=True, reason="Move").content))[:6]
        rows[1]["prs_Gender"] = "Female"
        rows[3]["vic_LocationOfExploitation"] = "Thailand"
        rows[4]["prs_Birthdate"] = f"{CANARY} 31/31"
        rows[5]["cas_CaseOwner"] = "nobody-here"
        report = self.assert_nothing_changed(as_csv(rows))
        found = {(p.row, p.column) for p in report.problems}
        self.assertEqual(
            found,
            {
                (3, "prs_Gender"),
                (5, "vic_LocationOfExploitation"),
                (6, "prs_Birthdate"),
                (7, "cas_CaseOwner"),
            },
        )
        # An identity value is never repeated back.
        self.assertNotIn(CANARY, " ".join(p.message for p in report.problems))

    def test_unknown_columns_duplicates_and_junk(self) -> None:
        rows = self.for_b(table(self.export().content))[:3]
        bad_header = as_csv([{"prs_Gendre": "Feminine"}])
        self.assertEqual(self.assert_nothing_changed(bad_header).problems[0].column, "prs_Gendre")
        twice = as_csv([rows[0], rows[1], rows[0]])
        problems = self.assert_nothing_changed(twice).problems
        self.assertEqual([(p.row, p.message) for p in problems], [(4, "repeats row 2")])
        for junk, name in (
            (b"\x00\x01\x02\xff\xfe\x00garbage", "x.csv"),
            (b"PK\x03\x04no", "x.xlsx"),
        ):
            with self.subTest(name=name), self.assertRaises(RefusedError):
                self.import_(junk, name)

    def test_a_file_too_large_is_refused_before_reading(self) -> None:
        with self.settings(), self.assertRaises(RefusedError):
            original = reading.MAX_BYTES
            reading.MAX_BYTES = 10
            try:
                self.import_(b"prs_Gender\nFeminine\n")
            finally:
                reading.MAX_BYTES = original

    def test_a_possible_duplicate_is_shown_and_imported_only_when_confirmed(self) -> None:
        rows = self.for_b(table(self.export(identity=True, reason="Move").content))[:2]
        sent = as_csv(rows)
        self.import_(sent)
        for row in rows:  # the same people again, under new references
            row["hvn_PersonReference"] = new_reference(PERSON_PREFIX)
            row["hvn_CaseReference"] = new_reference(CASE_PREFIX)
        rows[1]["prs_FirstName"] = "Somebody Else"
        report = self.assert_nothing_changed(as_csv(rows))
        self.assertEqual([(p.row, p.column) for p in report.problems], [(2, "prs_FirstName")])
        self.assertIn("HVN-", report.problems[0].message)
        confirmed = self.import_(as_csv(rows), allow_possible_duplicates=True)
        self.assertEqual(confirmed.created, 2)

    def test_the_official_template_and_a_kobo_submission(self) -> None:
        template = (REFERENCE / "htcds_excel_v2.0.xlsx").read_bytes()
        report = self.import_(template, "htcds_excel_v2.0.xlsx")
        self.assertEqual((report.rows, report.problems, report.created), (0, [], 0))
        kobo = as_csv(
            [
                {
                    "con_Consent": "TRUE",
                    "prs_First_Name": "Mya",
                    "prs_Second_Name": "Fictional",
                    "prs_Gender": "Feminine",
                    "prs_Citizenship": "MM",
                    "vic_Methods_of_Control": "DebtBondage WithholdsDocuments",
                    "vic_TypeOfExploitation": "ForcedLabour",
                    "cas_Status": "Active",
                }
            ]
        )
        report = self.import_(kobo, "kobo.csv")
        self.assertEqual((report.problems, report.created), ([], 1))
        self.assertIn("con_Consent", " ".join(report.notes))
        case = Case.objects.filter(organisation=self.world.orgs["B"]).latest("pk")
        self.assertEqual(case.person.family_name, "Fictional")
        self.assertEqual(case.methods_of_control, ["DebtBondage", "WithholdsDocuments"])

    def test_a_submission_of_the_official_xlsform_as_kobo_exports_it(self) -> None:
        form = openpyxl.load_workbook(REFERENCE / "htcds_xlsform.xlsx")["survey"]
        names = [row[1] for row in form.iter_rows(min_row=2, values_only=True) if row[1]]
        header = [f"group_case/{n}" if n.startswith("cas_") else n for n in names]
        header += ["meta/instanceID", "_id", "_uuid", "_submission_time", "_index"]
        values = {"prs_First_Name": "Lan", "prs_Gender": "Feminine", "cas_Status": "Active"}
        row = [values.get(name.rsplit("/", 1)[-1], "") for name in header]
        out = io.StringIO()
        csv.writer(out).writerows([header, row])
        report = self.import_(out.getvalue().encode(), "kobo-export.csv")
        self.assertEqual((report.problems, report.created), ([], 1))

    def test_only_admins_and_supervisors_import(self) -> None:
        for role in (Role.CASE_WORKER, Role.ANALYST, Role.SCREENER, Role.COORDINATOR):
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                importing.import_file(self.world.user("B", role), b"prs_Gender\n", "x.csv")


class CommandAndPageTests(HtcdsTestCase):
    def test_the_commands(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.xlsx"
            out = io.StringIO()
            call_command(
                "htcds", "export", "--as", "a-supervisor", "--output", str(path), stdout=out
            )
            self.assertIn("without identity", out.getvalue())
            with self.assertRaises(CommandError):
                call_command("htcds", "export", "--as", "a-case_worker", "--output", str(path))
            with self.assertRaises(CommandError):  # the owners are A's: named, nothing made
                call_command(
                    "htcds", "import", "--as", "b-org_admin", str(path), stderr=io.StringIO()
                )
            book = openpyxl.load_workbook(path)
            sheet = book.worksheets[0]
            header = [c.value for c in sheet[1]]
            owner = header.index("cas_CaseOwner")
            for row in sheet.iter_rows(min_row=2):
                row[owner].value = None
                for name in ("hvn_PersonReference", "hvn_CaseReference"):
                    row[header.index(name)].value = None
            book.save(path)
            out = io.StringIO()
            call_command("htcds", "import", "--as", "b-org_admin", str(path), "--check", stdout=out)
            self.assertIn("0 cases created (checked only)", out.getvalue())
            call_command("htcds", "import", "--as", "b-org_admin", str(path), stdout=out)
            self.assertIn("cases created", out.getvalue())

    def test_the_upload_page(self) -> None:
        client = self.client_for("B", Role.ORG_ADMIN)
        url = reverse("interop:import")
        rows = self.for_b(table(self.export().content))[:3]
        rows[2]["prs_Gender"] = "Female"
        upload = SimpleUploadedFile("cases.csv", as_csv(rows), content_type="text/csv")
        response = client.post(url, {"file": upload})
        self.assertContains(response, "Nothing was imported", status_code=400)
        self.assertContains(response, "prs_Gender", status_code=400)
        rows[2]["prs_Gender"] = "Feminine"
        upload = SimpleUploadedFile("cases.csv", as_csv(rows), content_type="text/csv")
        response = client.post(url, {"file": upload})
        self.assertContains(response, "3 cases imported.")
        refused = self.client_for("B", Role.CASE_WORKER).post(url, {})
        self.assertEqual(refused.status_code, 403)
