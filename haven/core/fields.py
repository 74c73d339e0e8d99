"""Model fields whose values are encrypted at rest (see haven.core.crypto).

The column holds only "hv1$<key id>$<nonce+ciphertext>". The authenticated data binds each
value to its column, so a ciphertext copied into another column or table fails to decrypt.
Encrypted columns cannot be filtered on: exact search goes through blind indexes.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from haven.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted with AES-GCM. The Python value is always a str ("" when empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["null"] = True
        kwargs["blank"] = True
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key in ("null", "blank", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    @property
    def crypto_context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_plain(self, value: Any) -> str:
        return "" if value is None else str(value)

    def from_plain(self, plain: str) -> Any:
        return plain

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return self.from_plain("")
        return self.from_plain(crypto.decrypt(value, self.crypto_context))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        plain = self.to_plain(value)
        if plain == "":
            return None
        return crypto.encrypt(plain, self.crypto_context)

    def get_lookup(self, lookup_name: str) -> Any:
        # Only emptiness can be asked of an encrypted column; any other lookup would
        # silently compare ciphertexts.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON list or object encrypted as a whole. Empty is [] (or {} with container="dict")."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, container: str = "list", **kwargs: Any) -> None:
        if container not in ("list", "dict"):
            raise ValueError("container must be 'list' or 'dict'")
        self.container = container
        kwargs["default"] = dict if container == "dict" else list
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.container != "list":
            kwargs["container"] = self.container
        return name, path, args, kwargs

    def to_plain(self, value: Any) -> str:
        if not value:
            return ""
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_plain(self, plain: str) -> Any:
        if plain:
            return json.loads(plain)
        return {} if self.container == "dict" else []
