"""Haven's screening engine: indicator catalogue as data, legal rules as pure functions.

No Django imports anywhere in this package: the same engine serves the web interview, the
command line, imports and tests.
"""

from haven.screening_engine.assess import InputError, assess, parse_input, reword, to_json
from haven.screening_engine.catalogue import (
    Catalogue,
    CatalogueError,
    default_catalogue,
    load_catalogue,
)

__all__ = [
    "Catalogue",
    "CatalogueError",
    "InputError",
    "assess",
    "default_catalogue",
    "load_catalogue",
    "parse_input",
    "reword",
    "to_json",
]
