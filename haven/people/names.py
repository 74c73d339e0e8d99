"""Name tokens for the blind index: any script, any order, variant romanisations.

A name becomes tokens of three kinds, each stored only as a keyed digest (see
docs/search-privacy.md):

- `name_token`: the token as written, normalised (NFKC, case folded, format characters
  and punctuation removed). Matches the same spelling in the same script.
- `name_latin`: the token romanised with anyascii, reduced to ASCII letters and digits.
  Khmer `សុខា`, Thai, Burmese and Latin `Sokha` or `Sokhá` meet here.
- `name_sound`: a consonant skeleton of the romanised token, so that `sokha`, `sokhar`
  and `sokah`, or Thai `smsri` and Latin `Somsri`, meet. Weakest evidence; ranked last.

Nothing here touches the database: the people actions and the index migration share it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii

from haven.core import crypto

WRITTEN = "name_token"  # the part as written (IndexKind.NAME_TOKEN)
LATIN = "name_latin"
SOUND = "name_sound"
FULL_NAME = "name"  # the whole normalised name, as the exact index has always stored it

# How strongly a kind of match says "same name": exact spelling beats a shared
# romanisation, which beats a shared sound.
STRENGTH = {WRITTEN: 3, LATIN: 2, SOUND: 1}

# Name parts one search may hold; more is not a name.
MAX_SEARCH_TOKENS = 8

# A sound key of one consonant (e.g. "s") would match a large share of all names.
MIN_SOUND_KEY = 2

# Burmese is written without spaces between the syllables that make up a name
# ("Maung Maung Oo"), so a syllable is its token. A syllable starts at a consonant or an
# independent vowel, unless that letter is killed (asat) or stacked under a virama.
_BURMESE_STARTS = re.compile(r"(?<!\u1039)(?=[\u1000-\u102a\u103f\u104c-\u104f](?![\u103a\u1039]))")
_BURMESE = re.compile(r"[\u1000-\u109f]")

_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("tch", "c"),
    ("ch", "c"),
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("gh", "g"),
    ("bh", "b"),
    ("dh", "d"),
    ("sh", "s"),
    ("ck", "k"),
)
_LETTERS = str.maketrans({"j": "c", "q": "k", "v": "w", "z": "s", "x": "s"})
_VOWELS = frozenset("aeiouy")


def _separate(value: str) -> str:
    """Split on whitespace, punctuation, symbols and zero-width spaces; keep marks."""
    composed = unicodedata.normalize("NFKC", value)
    out = []
    for ch in composed:
        category = unicodedata.category(ch)
        if ch in "\u200b\u200c\u2060" or category[0] in "PSZ" or category == "Cc":
            out.append(" ")
        elif category == "Cf":
            continue
        else:
            out.append(ch)
    return "".join(out).casefold()


def _split_burmese(word: str) -> list[str]:
    if not _BURMESE.search(word):
        return [word]
    return [part for part in _BURMESE_STARTS.split(word) if part]


def tokens(value: str) -> list[str]:
    """The normalised tokens of a name, in order, without repeats."""
    found: list[str] = []
    for word in _separate(value).split():
        found.extend(_split_burmese(word))
    return list(dict.fromkeys(found))


def romanise(token: str) -> str:
    """ASCII letters and digits only: anyascii also drops diacritics (`Nguyễn` -> `nguyen`)."""
    return "".join(ch for ch in anyascii(token).lower() if ch.isascii() and ch.isalnum())


def sound_key(latin: str) -> str:
    """Consonant skeleton of a romanised token. Empty when too short to be useful.

    Vowels are dropped (Thai and Khmer romanisations write them differently or not at
    all), `h` is dropped (`sokha`/`sokah`), `r` after a vowel is dropped (`sokhar`,
    `porn`/`pon`), a final `ng` becomes `n`, and doubled letters count once.
    """
    word = "".join(ch for ch in latin if ch.isalpha())
    for digraph, single in _DIGRAPHS:
        word = word.replace(digraph, single)
    word = word.translate(_LETTERS)
    if word.endswith("ng"):
        word = word[:-1]
    kept: list[str] = []
    previous = ""
    for ch in word:
        after_vowel = previous in _VOWELS
        previous = ch
        if ch in _VOWELS or ch == "h" or (ch == "r" and after_vowel):
            continue
        if not kept or kept[-1] != ch:
            kept.append(ch)
    key = "".join(kept)
    return key if len(key) >= MIN_SOUND_KEY else ""


@dataclass(frozen=True)
class TokenKeys:
    """The digests one token can be found by, strongest first."""

    token: str
    digests: tuple[tuple[str, str], ...]


def token_keys(token: str) -> TokenKeys:
    digests = [(WRITTEN, crypto.blind_index(WRITTEN, token))]
    latin = romanise(token)
    if latin:
        digests.append((LATIN, crypto.blind_index(LATIN, latin)))
        sound = sound_key(latin)
        if sound:
            digests.append((SOUND, crypto.blind_index(SOUND, sound)))
    return TokenKeys(token, tuple(digests))


def same_name_keys(
    value: str, known: dict[str, tuple[str, str] | None] | None = None
) -> frozenset[tuple[str, str]]:
    """What "the same name tokens" compares, one key per token, order ignored.

    The sound key where a token has one (Khmer `ចាន់` romanises to `chana`, the usual
    spelling is `Chan`), else the romanised token (`Oo`, `A`). `known` remembers each
    token's key across the calls of one batch.
    """
    memo = {} if known is None else known
    keys: set[tuple[str, str]] = set()
    for token in tokens(value):
        if token not in memo:
            memo[token] = _same_key(token)
        key = memo[token]
        if key is not None:
            keys.add(key)
    return frozenset(keys)


def _same_key(token: str) -> tuple[str, str] | None:
    latin = romanise(token)
    sound = sound_key(latin)
    if sound:
        return (SOUND, sound)
    if latin:
        return (LATIN, latin)
    return None


@dataclass
class Known:
    """What one batch (an import) has digested already: its people share many given and
    family names. It lives only as long as the batch, so no name stays in memory."""

    names: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    tokens: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def name_entries(names: Iterable[str], known: Known | None = None) -> set[tuple[str, str]]:
    """Every (kind, digest) row the index holds for these names."""
    memo = Known() if known is None else known
    entries: set[tuple[str, str]] = set()
    for name in names:
        found = memo.names.get(name)
        if found is None:
            found = memo.names[name] = frozenset(_entries_of(name, memo))
        entries |= found
    return entries


def _entries_of(name: str, memo: Known) -> set[tuple[str, str]]:
    whole = crypto.normalise_text(name)
    if not whole:
        return set()
    entries = {(FULL_NAME, crypto.blind_index(FULL_NAME, whole))}
    for token in tokens(name):
        digests = memo.tokens.get(token)
        if digests is None:
            digests = memo.tokens[token] = token_keys(token).digests
        entries.update(digests)
    return entries
