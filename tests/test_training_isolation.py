"""The training space keeps its records in, and real ones out (haven.core.training).

Organisation B is made a training organisation; A stays real. Each way a record could
leave (referral either way, a letter to a provider outside Haven, a cross-border file in
or out, an HTCDS export, a data release, an API token) is refused in its domain action
and changes nothing; figures across the deployment never mix the two; every page and
PDF of the training space says TRAINING.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability, Role
from haven.api import tokens
from haven.api.models import ApiToken
from haven.cases.models import Case
from haven.core.errors import RefusedError
from haven.core.pdf import render_pdf
from haven.directory.models import DirectoryService, Provider
from haven.interop.exporting import export
from haven.interop.models import Export
from haven.referrals import crossborder
from haven.referrals.actions import record_consent, send_referral
from haven.referrals.models import Referral
from haven.stats.actions import prepare
from haven.stats.models import Release
from haven.stats.scope import in_scope
from haven.training.actions import ensure_training_organisation
from tests.personas import HavenTestCase, consent_data

LEAVES = "training organisation: its records are practice and never leave"
ENTERS = "real records are never sent to it"


class TrainingSpaceTests(HavenTestCase):
    def setUp(self) -> None:
        Organisation.objects.filter(pk=self.world.orgs["B"].pk).update(is_training=True)

    def user(self, org: str, role: Role) -> User:
        """The user as a request would load them: with their organisation, fresh."""
        return User.objects.select_related("organisation").get(pk=self.world.user(org, role).pk)

    def assert_refused(self, call: object, words: str) -> None:
        with self.assertRaisesMessage(RefusedError, words):
            call()  # type: ignore[operator]

    def refer(self, org: str, service: DirectoryService) -> Referral:
        worker = self.user(org, Role.CASE_WORKER)
        case = self.world.cases[org]
        record_consent(worker, case, consent_data(service.provider))
        return send_referral(
            worker,
            case,
            service,
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Fixture request",
            categories=["identity", "contact"],
            channel="haven",
        )

    def test_a_real_case_is_never_referred_into_the_training_space(self) -> None:
        before = Referral.objects.count()
        self.assert_refused(lambda: self.refer("A", self.world.services_listed["B"]), ENTERS)
        self.assertEqual(Referral.objects.count(), before)

    def test_a_training_case_is_never_referred_to_a_real_organisation(self) -> None:
        before = Referral.objects.count()
        self.assert_refused(lambda: self.refer("B", self.world.services_listed["A"]), LEAVES)
        self.assertEqual(Referral.objects.count(), before)

    def test_a_training_case_is_never_referred_to_a_provider_outside_haven(self) -> None:
        outside = Provider.objects.create(name="Outside clinic", org_type="NGO", country="TH")
        service = DirectoryService.objects.create(provider=outside, kind="medical")
        before = Referral.objects.count()
        self.assert_refused(lambda: self.refer("B", service), LEAVES)
        self.assertEqual(Referral.objects.count(), before)

    def test_training_organisations_refer_between_themselves(self) -> None:
        other = Organisation.objects.create(
            name="Second training centre", org_type="NGO", country="TH", is_training=True
        )
        provider = Provider.objects.create(
            name="Practice shelter", organisation=other, org_type="NGO", country="TH"
        )
        service = DirectoryService.objects.create(provider=provider, kind="accommodation")
        referral = self.refer("B", service)
        self.assertEqual(referral.case_id, self.world.cases["B"].pk)

    def test_no_cross_border_file_leaves_or_enters_the_training_space(self) -> None:
        supervisor = self.user("B", Role.SUPERVISOR)
        self.assert_refused(
            lambda: crossborder.export_referral(supervisor, self.world.referrals["B"]), LEAVES
        )
        before = Referral.objects.count()
        self.assert_refused(lambda: crossborder.import_file(supervisor, b"{}"), ENTERS)
        self.assertEqual(Referral.objects.count(), before)

    def test_no_htcds_export_from_the_training_space(self) -> None:
        self.assert_refused(lambda: export(self.user("B", Role.SUPERVISOR), fmt="csv"), LEAVES)
        self.assertFalse(Export.objects.exists())

    def test_no_data_release_from_the_training_space(self) -> None:
        self.assert_refused(
            lambda: prepare(self.user("B", Role.ANALYST), kind="k_anonymous"), LEAVES
        )
        self.assertFalse(Release.objects.exists())

    def test_no_api_token_is_made_or_works_in_the_training_space(self) -> None:
        supervisor = self.user("B", Role.SUPERVISOR)
        scope = tokens.grantable_scopes(supervisor)[0]
        self.assert_refused(
            lambda: tokens.create_personal(supervisor, name="sync", scopes=[scope], days=30),
            LEAVES,
        )
        self.assertFalse(ApiToken.objects.exists())
        # A token made before the organisation became a training space stops working.
        Organisation.objects.filter(pk=self.world.orgs["B"].pk).update(is_training=False)
        _token, secret = tokens.create_personal(
            self.user("B", Role.SUPERVISOR), name="sync", scopes=[scope], days=30
        )
        self.assertIsNotNone(tokens.authenticate(secret))
        Organisation.objects.filter(pk=self.world.orgs["B"].pk).update(is_training=True)
        self.assertIsNone(tokens.authenticate(secret))

    def test_figures_across_the_deployment_never_mix_the_two_spaces(self) -> None:
        real = in_scope(self.user("A", Role.COORDINATOR), Case.objects.all(), *[STATS])
        practice = in_scope(self.user("B", Role.COORDINATOR), Case.objects.all(), *[STATS])
        self.assertEqual(list(real), [self.world.cases["A"]])
        self.assertEqual(list(practice), [self.world.cases["B"]])

    def test_the_public_directory_never_shows_a_training_organisation(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        for key, status in (("A", 200), ("B", 404)):
            url = reverse("directory:public_provider", args=[self.world.providers[key].pk])
            self.assertEqual(client.get(url).status_code, status, key)

    def test_every_page_of_the_training_space_says_training(self) -> None:
        home = reverse("core:home")
        practice = self.client_for("B", Role.CASE_WORKER).get(home).content.decode()
        real = self.client_for("A", Role.CASE_WORKER).get(home).content.decode()
        self.assertIn('class="training-space"', practice)
        self.assertIn("<title>TRAINING ·", practice)
        self.assertNotIn("training-space", real)
        with translation.override("km"):
            khmer = self.client_for("B", Role.CASE_WORKER).get(home, HTTP_ACCEPT_LANGUAGE="km")
        self.assertIn('class="training-space"', khmer.content.decode())

    def test_a_training_spaces_pdf_says_training_on_every_page(self) -> None:
        url = reverse("statistics:report")
        practice = self.client_for("B", Role.ANALYST).get(url)
        real = self.client_for("A", Role.ANALYST).get(url)
        self.assertIn("TRAINING", _text(practice.content))
        self.assertNotIn("TRAINING", _text(real.content))
        # The public directory is real-world information: never stamped as practice.
        public = self.client_for("B", Role.CASE_WORKER).get(reverse("directory:public_pdf"))
        self.assertNotIn("TRAINING", _text(public.content))
        stamped = render_pdf("directory/pdf.html", {"entries": []}, "en", training=True)
        pages = PdfReader(io.BytesIO(stamped)).pages
        self.assertTrue(all("TRAINING" in page.extract_text() for page in pages))


STATS = Capability.STATISTICS_VIEW


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


class TrainingOrganisationTests(HavenTestCase):
    def test_an_operator_creates_a_training_organisation_and_the_list_says_so(self) -> None:
        out = io.StringIO()
        call_command(
            "organisation",
            "add",
            "Practice centre",
            "--type",
            "NGO",
            "--country",
            "TH",
            "--training",
            stdout=out,
        )
        self.assertTrue(Organisation.objects.get(name="Practice centre").is_training)
        call_command("organisation", "list", stdout=out)
        self.assertIn("Practice centre\tNGO\tTH\ttraining", out.getvalue())
        page = self.client_for("A", Role.SYSTEM_ADMIN).get(reverse("accounts:organisations"))
        self.assertContains(page, "TRAINING")

    def test_a_real_organisation_never_becomes_a_training_space(self) -> None:
        real = self.world.orgs["A"]
        with self.assertRaisesMessage(RefusedError, "never becomes a training space"):
            ensure_training_organisation(actor=None, name=real.name, country="TH")
        self.assertFalse(Organisation.objects.get(pk=real.pk).is_training)
