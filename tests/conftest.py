from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.contrib.auth import hashers

from tests.personas import World, build_world


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _quiet_expected_request_warnings() -> None:
    # 403/404 answers are the point of many tests; keep their log lines out of the output
    # while still letting caplog capture them.
    logging.getLogger("django.request").setLevel(logging.ERROR)
