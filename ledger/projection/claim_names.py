"""Claim ids as people type them: an unknown one gets the closest ids known at the
position ("did you mean claim:seed-20?"), read from the claims the reader's own
projections hold, so a suggestion never names a claim the reader may not see."""

import difflib

from ledger.projection.schema import SCHEMA, qualified
from ledger.store.connection import Conn

SUGGESTIONS = 3
"""How many claim ids an unknown one gets."""

WHOLE_REGISTER = 10_000
"""Up to this many claims, an unknown id is also compared with each of them (difflib);
beyond, only ids that contain what was typed are offered."""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def similar_claims(conn: Conn, given: str, position: int, schema: str = SCHEMA) -> list[str]:
    """Up to ``SUGGESTIONS`` claim ids asserted by ``position`` that look like ``given``:
    it with ``claim:`` before it, ids containing it, then the closest by difflib."""
    bare = given.strip().split(":", 1)[1] if ":" in given else given.strip()
    if not bare:
        return []
    rows = conn.execute(
        qualified(
            "SELECT DISTINCT claim_id FROM {s}.claims WHERE position <= %s"
            " AND lower(claim_id) LIKE %s ORDER BY claim_id LIMIT 50",
            schema,
        ),
        (position, _like(bare.casefold())),
    ).fetchall()
    containing = [str(r[0]) for r in rows]
    if containing:
        exact = [c for c in containing if c.split(":", 1)[-1].casefold() == bare.casefold()]
        close = difflib.get_close_matches(given, containing, n=SUGGESTIONS, cutoff=0.0)
        return list(dict.fromkeys([*exact, *close]))[:SUGGESTIONS]
    counted = conn.execute(
        qualified("SELECT count(DISTINCT claim_id) FROM {s}.claims WHERE position <= %s", schema),
        (position,),
    ).fetchone()
    if counted is None or int(counted[0]) > WHOLE_REGISTER:
        return []
    every = conn.execute(
        qualified("SELECT DISTINCT claim_id FROM {s}.claims WHERE position <= %s", schema),
        (position,),
    ).fetchall()
    return difflib.get_close_matches(given, [str(r[0]) for r in every], n=SUGGESTIONS, cutoff=0.6)


def hint(suggestions: list[str]) -> str:
    """``; did you mean claim:seed-20?`` or ""."""
    return f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
