from __future__ import annotations

from pathlib import Path

import pytest

from haven.screening_engine import Catalogue, load_catalogue

FIXTURE = Path(__file__).resolve().parent / "fixture_catalogue"


@pytest.fixture(scope="session")
def fixture_catalogue() -> Catalogue:
    return load_catalogue(FIXTURE)
