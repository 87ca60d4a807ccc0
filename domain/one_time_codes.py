"""Invite and password reset codes a manager reads out over the phone.

No look-alike characters (0/O, 1/I/L; U too, since it sounds and looks like V), upper case, in groups of four
("K7XM-4QPR-9TWC"). What a person types back is accepted with or without the dashes, in any case, with spaces.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 characters: no 0 O 1 I L U
GROUP = 4
GROUPS = 3  # 12 characters, about 59 bits: not guessable within a code's life under the rate limits


def new_code() -> str:
    characters = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * GROUPS))
    return "-".join(characters[start:start + GROUP] for start in range(0, len(characters), GROUP))


def normalised(typed: str) -> str:
    """The code as stored (its digest): what was typed, without spaces and dashes, in capitals."""
    return "".join(character for character in typed.upper() if character not in " -\t")
