"""Every JSON input, on the command line and on the web, is refused cleanly when it is
too large or nested too deep: exit 2 with a message on stderr (nothing on stdout), or 400
with a message in the user's language, no traceback, and nothing changed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.core import crypto, safejson
from haven.referrals import exchange
from haven.referrals.models import Deployment, ExchangeReceipt, Referral
from haven.screening.management.commands import screen
from tests.personas import HavenTestCase

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 100_000


def deep(depth: int = DEPTH) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int = DEPTH) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


class SafeJsonTests(SimpleTestCase):
    def test_deep_nesting_is_refused_without_recursion(self) -> None:
        for data in (deep(), deep_object(), deep().decode("ascii")):
            with self.assertRaises(safejson.TooDeepError):
                safejson.loads(data, max_bytes=10 * DEPTH, max_depth=32)

    def test_oversized_input_is_refused_before_parsing(self) -> None:
        with self.assertRaises(safejson.TooLargeError):
            safejson.loads(b" " * 1001 + b"{}", max_bytes=1000)
        with self.assertRaises(safejson.TooLargeError):
            safejson.loads("é" * 600, max_bytes=1000)  # 1200 bytes in UTF-8

    def test_brackets_inside_strings_do_not_count(self) -> None:
        text = json.dumps({"a": '[[[[[[{{{{{{\\"[[[[', "b": ["]]]]"]})
        self.assertEqual(safejson.loads(text, max_bytes=1000, max_depth=2)["b"], ["]]]]"])

    def test_invalid_json_is_a_value_error_naming_no_content(self) -> None:
        with self.assertRaises(ValueError) as raised:
            safejson.loads(b'{"name": "Secret Person"', max_bytes=1000)
        self.assertIsInstance(raised.exception, safejson.UnsafeJSONError)
        self.assertNotIn("Secret", str(raised.exception))

    @given(st.recursive(st.none() | st.integers() | st.text(), st.lists, max_leaves=20))
    def test_the_scan_agrees_with_the_parser(self, value: object) -> None:
        text = json.dumps(value)
        self.assertEqual(safejson.loads(text, max_bytes=100_000, max_depth=100), value)


def run_haven(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "haven.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
        cwd=ROOT,
        timeout=120,
    )


class ScreenCommandTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def file(self, name: str, data: bytes) -> Path:
        path = Path(self.tmp.name) / name
        path.write_bytes(data)
        return path

    def refused(self, *args: str) -> str:
        out = io.StringIO()
        with self.assertRaises(CommandError) as raised:
            call_command("screen", *args, stdout=out)
        self.assertEqual(raised.exception.returncode, 2)
        self.assertEqual(out.getvalue(), "")
        return str(raised.exception)

    def test_a_100000_deep_file_exits_2_without_a_traceback(self) -> None:
        result = run_haven("screen", "--answers", str(self.file("deep.json", deep())))
        self.assertEqual(result.returncode, 2, result.stderr[-2000:])
        self.assertEqual(result.stdout, "")
        self.assertNotIn("Traceback", result.stderr)
        self.assertIn("nested deeper", result.stderr)

    def test_deep_and_oversized_answers_are_refused(self) -> None:
        self.assertIn("nested deeper", self.refused("--answers", str(self.file("d", deep()))))
        big = b'{"x": "' + b"a" * screen.MAX_INPUT_BYTES + b'"}'
        self.assertIn("larger than", self.refused("--answers", str(self.file("big", big))))

    def test_a_deep_line_in_a_batch_is_refused_with_its_line_number(self) -> None:
        lines = self.file("batch.jsonl", b"{}\n" + deep_object() + b"\n")
        self.assertIn("line 2: JSON nested deeper", self.refused("--answers-jsonl", str(lines)))


class KeyRingTests(SimpleTestCase):
    def test_deep_or_oversized_key_rings_are_refused_clearly(self) -> None:
        with self.assertRaisesMessage(ImproperlyConfigured, "nested too deep"):
            crypto.parse_key_ring(deep().decode("ascii"))
        with self.assertRaisesMessage(ImproperlyConfigured, "larger than"):
            crypto.parse_key_ring(" " * (crypto.MAX_KEY_RING_BYTES + 1))

    def test_a_deep_key_file_is_refused_on_load(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "keys.json"
            path.write_bytes(deep())
            with override_settings(HAVEN_KEYS_JSON="", HAVEN_KEY_FILE=path):
                crypto.reset_key_ring_cache()
                try:
                    with self.assertRaisesMessage(ImproperlyConfigured, "nested too deep"):
                        crypto.key_ring()
                finally:
                    crypto.reset_key_ring_cache()


class ExchangeFileTests(SimpleTestCase):
    def test_deep_or_oversized_envelopes_are_refused_before_decryption(self) -> None:
        own = exchange.KeyPair.generate("kh-test", "Cambodia test", "KH")
        for data, code in (
            (deep(), "malformed"),
            (deep_object(), "malformed"),
            (b" " * (exchange.MAX_FILE_BYTES + 1), "too_large"),
        ):
            with self.subTest(code=code), self.assertRaises(exchange.ExchangeError) as raised:
                exchange.open_file(own, {}, data)
            self.assertEqual(raised.exception.code, code)

    def test_a_signed_message_nested_too_deep_is_refused(self) -> None:
        own = exchange.KeyPair.generate("kh-test", "Cambodia test", "KH")
        sender = exchange.KeyPair.generate("th-test", "Thailand test", "TH")
        body: dict[str, object] = {}
        inner = body
        for _level in range(exchange.MAX_MESSAGE_DEPTH + 5):
            inner["a"] = {}
            inner = inner["a"]  # type: ignore[assignment]
        _id, data = exchange.seal(sender, own.identity, "referral", body)
        with self.assertRaises(exchange.ExchangeError) as raised:
            exchange.open_file(own, {"th-test": sender.identity}, data)
        self.assertEqual(raised.exception.code, "malformed")


class ExchangeCommandTests(HavenTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def trust(self, data: bytes) -> str:
        path = Path(self.tmp.name) / "identity.json"
        path.write_bytes(data)
        out = io.StringIO()
        before = Deployment.objects.count()
        with (
            override_settings(HAVEN_EXCHANGE_KEY_FILE=Path(self.tmp.name) / "none.json"),
            self.assertRaises(CommandError) as raised,
        ):
            call_command("exchange", "trust", str(path), stdout=out)
        self.assertEqual(raised.exception.returncode, 2)
        self.assertEqual(out.getvalue(), "")
        self.assertEqual(Deployment.objects.count(), before)
        return str(raised.exception)

    def test_deep_or_oversized_identity_files_exit_2_and_trust_nobody(self) -> None:
        self.assertIn("larger than", self.trust(deep()))  # 100,000 deep is 200 KB
        self.assertIn("nested deeper", self.trust(deep(10_000)))
        self.assertIn("nested deeper", self.trust(deep_object(5_000)))
        big = b" " * (exchange.MAX_KEY_FILE_BYTES + 1) + b"{}"
        self.assertIn("larger than", self.trust(big))
        self.assertIn("Not a Haven identity file", self.trust(b"{not json"))


class ImportUploadTests(HavenTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.keys = Path(self.tmp.name) / "exchange.json"
        exchange.KeyPair.generate("kh-test", "Cambodia test", "KH").save(self.keys)
        self.client = self.client_for("B", Role.SUPERVISOR)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"

    def upload(self, data: bytes) -> tuple[int, str]:
        counts = (Referral.objects.count(), ExchangeReceipt.objects.count())
        audit = AuditEntry.objects.exclude(action=Action.EXCHANGE_REFUSED).count()
        with override_settings(HAVEN_EXCHANGE_KEY_FILE=self.keys):
            response = self.client.post(
                reverse("referrals:import"), {"file": SimpleUploadedFile("x.json", data)}
            )
        self.assertEqual((Referral.objects.count(), ExchangeReceipt.objects.count()), counts)
        # A refused file leaves one trace, that it was refused; nothing else is recorded.
        self.assertEqual(AuditEntry.objects.exclude(action=Action.EXCHANGE_REFUSED).count(), audit)
        self.assertNotIn(b"Traceback", response.content)
        return response.status_code, response.content.decode()

    def assert_says(self, page: str, message: str) -> None:
        with translation.override("km"):
            self.assertIn(escape(translation.gettext(message)), page)
        self.assertIn('<html lang="km">', page)

    def test_a_deep_file_answers_400_in_the_users_language(self) -> None:
        for data in (deep(), deep_object()):
            status, page = self.upload(data)
            self.assertEqual(status, 400)
            self.assert_says(page, "This is not a Haven exchange file, or it is damaged.")

    def test_an_oversized_file_answers_400_in_the_users_language(self) -> None:
        status, page = self.upload(b" " * (exchange.MAX_FILE_BYTES + 1))
        self.assertEqual(status, 400)
        self.assert_says(page, "The file is too large to be a Haven exchange file.")
