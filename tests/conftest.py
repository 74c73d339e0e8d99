from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import hashers

from haven.translations import live
from tests import app_role
from tests.personas import World, build_world


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, then, on PostgreSQL, the application role from here
    on (tests/app_role.py). Only when a test uses the database."""
    with django_db_blocker.unblock():
        app_role.start()


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _quiet_expected_request_warnings() -> None:
    # 403/404 answers are the point of many tests; keep their log lines out of the output
    # while still letting caplog capture them.
    logging.getLogger("django.request").setLevel(logging.ERROR)


@pytest.fixture(autouse=True, scope="session")
def _translations_refresh_only_when_told() -> None:
    # Pages never look for other processes' translation changes during tests, so query
    # counts stay exact; a test that needs it calls live.refresh(force=True).
    settings.HAVEN_TRANSLATION_REFRESH_SECONDS = None


@pytest.fixture(autouse=True)
def _shipped_translations() -> Any:
    yield
    live.reset()


@pytest.fixture(autouse=True, scope="session")
def _campaign_materials_in_a_temporary_directory(tmp_path_factory: Any) -> None:
    settings.CAMPAIGN_MATERIALS_DIR = tmp_path_factory.mktemp("campaign_materials")
