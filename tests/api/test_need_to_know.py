"""The property that defines need-to-know: for any ledger and any clearance C, every
answer for C equals the answer computed on a ledger that holds only the events C may see.

The second ledger is a real database of its own, into which the test copies the rows of
the visible events (chosen by this test's own reading of the rule, not the product's),
at their original positions and record times, with their markings. Positions stay the
ledger's own, so nothing needs renumbering; what differs is only the projections' cursor
and the head (the first ledger's are the positions of its last event, visible or not,
the second's the last visible one), which the comparison leaves out: ``read_at``,
``head`` and a CLI answer's ``position``. As transparency logs show a tree size, a reader
may learn how many positions the ledger holds; nothing else about a hidden event may
differ, and every status and body below is compared whole. Page tokens are sealed afresh
for every answer, so each walk follows its own tokens to the end and every page of it is
compared; ``/health`` for a key is compared whole, head and lag included, since it
answers with the events the key sees. The live stream (``GET /stream``'s messages, read
from its module until it goes quiet) is compared whole too: the same events, at the
same positions, with the same hashes; and so is its STIX form (``format=stix``): the
same object versions, at the same positions.
"""

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import psycopg
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ledger.api.stix_stream import StixFeed
from ledger.api.stream import HeadWatch, StreamOptions, Streams
from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance
from ledger.ports import LedgerStore
from ledger.runtime import open_ledger
from ledger.stix.context import Context
from ledger.taxii.cache import Collections
from ledger.taxii.growth import current
from ledger.web.keys import Role
from tests.helpers import (
    Api,
    create_database,
    database_url_for,
    drop_database,
    ledger_cli,
    normalised,
    serving,
)
from tests.scenarios import ACTORS, CLAIMS, COMPARTMENTS, DOCUMENTS, PLACES, SOURCES, marked_events

ORDER = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP_SECRET"]
"""The levels a clearance may hold, lowest first; any other marking is above them all."""


def may_see(level: str, compartments: list[str], event: Event) -> bool:
    """The rule, stated again here so the test does not lean on the code it checks."""
    marking = str(event.envelope.classification)
    if marking not in ORDER:  # UNKNOWN, or anything this code does not know: hidden
        return False
    return ORDER.index(marking) <= ORDER.index(level) and set(event.envelope.compartments) <= set(
        compartments
    )


def _copy_visible(source_url: str, target_url: str, positions: list[int]) -> None:
    """Copy the events at ``positions`` (with their markings) row for row."""
    with psycopg.connect(source_url) as source, psycopg.connect(target_url) as target:
        for table in ("events", "markings"):
            columns = [
                r[0]
                for r in source.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = 'ledger' AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
            names = ", ".join(columns)
            rows = source.execute(
                f"SELECT {names} FROM ledger.{table} WHERE position = ANY(%s) ORDER BY position",
                (positions,),
            ).fetchall()
            with target.cursor().copy(f"COPY ledger.{table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


MOMENT = "2015-10-15T00:00:00Z"
PATHS: list[tuple[str, dict[str, Any]]] = [
    ("/posture", {}),
    ("/posture", {"include_retracted": "true"}),
    ("/posture", {"valid_at": MOMENT}),
    ("/posture", {"valid_at": MOMENT, "include_retracted": "true", "limit": 2}),
    ("/posture", {"valid_at": MOMENT, "actor": "Hizballah", "include_subordinates": "true"}),
    ("/posture", {"valid_at": MOMENT, "place": "Idlib"}),
    ("/posture/timeline", {"actor": ACTORS[0]}),
    ("/posture/timeline", {"place": PLACES[1]}),
    ("/posture", {"include_retracted": "true", "limit": 1}),
    ("/posture/timeline", {"actor": ACTORS[1], "limit": 1}),
    ("/claims", {}),
    ("/claims", {"limit": 1}),
    ("/sources", {}),
    ("/sources", {"limit": 1}),
    ("/documents", {}),
    ("/documents", {"limit": 1}),
    ("/actors", {}),
    ("/places", {}),
    ("/events", {"limit": 1000}),
    ("/events", {"limit": 3}),
    ("/stix/bundle", {}),
    ("/stix/bundle", {"all_versions": "true"}),
    *((f"/claims/{claim}", {}) for claim in CLAIMS),
    *((f"/claims/{claim.split(':')[1]}", {}) for claim in CLAIMS),  # suggestions
    ("/claims", {"at_least": 0}),
    *((f"/sources/{source}", {}) for source in SOURCES),
    *((f"/documents/{document}", {}) for document in DOCUMENTS),
    *((f"/actors/{name}", {}) for name in (*ACTORS, "Quds")),
    *((f"/places/{name}", {}) for name in (*PLACES, "Aleppo")),
]


MOST_PAGES = 60


def streamed(ledger: LedgerStore, clearance: Clearance, stix: bool = False) -> bytes:
    """Every byte ``GET /stream`` (``?format=stix`` if ``stix``) sends ``clearance`` from
    position 1 until it has been quiet for half a second."""
    kept, log = Collections(), Context("need-to-know")
    feed = StixFeed(lambda at: current(kept, ledger, clearance, at, log)) if stix else None

    async def head() -> int:
        return ledger.head().position

    async def read() -> bytes:
        streams = Streams(StreamOptions(), HeadWatch(head, 0.05))
        messages = streams.subscribe(ledger, clearance, 0, feed=feed).messages()
        got = b""
        with contextlib.suppress(TimeoutError):
            while True:
                async with asyncio.timeout(0.5):
                    got += await anext(messages)
        await messages.aclose()
        return got

    return asyncio.run(read())


def _answers(api: Api, event_ids: list[str]) -> Iterator[tuple[str, int, Any]]:
    for path, params in PATHS:
        response = api.client.get(path, params=params, headers=api.headers())
        yield path, response.status_code, normalised(response.json())
        for page in range(MOST_PAGES):  # the rest of the walk, by the tokens given
            token = response.json().get("next_cursor") if response.status_code == 200 else None
            if token is None:
                break
            given = {**params, "cursor": token}
            response = api.client.get(path, params=given, headers=api.headers())
            yield f"{path} page {page + 2}", response.status_code, normalised(response.json())
    health = api.client.get("/health", headers=api.headers(Role.PRODUCER))
    yield "/health", health.status_code, health.json()
    for event_id in event_ids:  # hidden ones must answer as unknown ones do
        response = api.client.get(f"/events/{event_id}", headers=api.headers())
        yield event_id, response.status_code, response.json()


@settings(
    max_examples=8,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # a shrink costs minutes here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(marked_events(), min_size=1, max_size=30),
    level=st.sampled_from(ORDER),
    compartments=st.lists(st.sampled_from(COMPARTMENTS), unique=True),
)
def test_every_answer_for_a_clearance_equals_the_answer_on_the_visible_events_alone(
    server_url: str,
    template_db: str,
    batch: list[Event],
    level: str,
    compartments: list[str],
) -> None:
    clearance = Clearance.of(level, compartments)
    whole = create_database(server_url, template_db)
    alone = create_database(server_url, template_db)
    whole_url, alone_url = database_url_for(server_url, whole), database_url_for(server_url, alone)
    try:
        with open_ledger(Settings(database_url=whole_url)) as ledger:
            appended = ledger.append(batch)
        visible = [
            a.position
            for a, e in zip(appended, batch, strict=True)
            if may_see(level, compartments, e)
        ]
        _copy_visible(whole_url, alone_url, visible)
        ids = [str(e.envelope.event_id) for e in batch]

        cli = ["posture", "--format", "json", "--valid-at", MOMENT]
        as_cleared = ["--clearance", level, *(f"--compartment={c}" for c in compartments)]
        mine = ledger_cli(*as_cleared, *cli, database_url=whole_url)
        theirs = ledger_cli(*cli, database_url=alone_url)
        assert (mine.returncode, theirs.returncode) == (0, 0), mine.stderr + theirs.stderr
        ours, reference = json.loads(mine.stdout), json.loads(theirs.stdout)
        ours.pop("position"), reference.pop("position")
        assert ours == reference

        with serving(whole_url, clearance=clearance) as api:
            answered = list(_answers(api, ids))
        with serving(alone_url, auth=False) as api:
            expected = list(_answers(api, ids))
        for got, wanted in zip(answered, expected, strict=True):
            assert got == wanted, got[0]

        with open_ledger(Settings(database_url=whole_url)) as ledger:
            mine_streamed = streamed(ledger, clearance)
        with open_ledger(Settings(database_url=alone_url)) as ledger:
            theirs_streamed = streamed(ledger, OPERATOR)
        positions = [
            int(line[4:]) for line in mine_streamed.split(b"\n") if line.startswith(b"id: ")
        ]
        assert positions == visible
        assert mine_streamed == theirs_streamed

        with open_ledger(Settings(database_url=whole_url)) as ledger:
            mine_stix = streamed(ledger, clearance, stix=True)
        with open_ledger(Settings(database_url=alone_url)) as ledger:
            theirs_stix = streamed(ledger, OPERATOR, stix=True)
        made = [int(line[4:]) for line in mine_stix.split(b"\n") if line.startswith(b"id: ")]
        assert set(made) <= set(visible)
        assert mine_stix == theirs_stix
    finally:
        drop_database(server_url, whole)
        drop_database(server_url, alone)


def test_the_rule_restated_here_agrees_on_unknown_markings() -> None:
    from tests.factories import make
    from tests.scenarios import marked

    event = marked(make("ClaimAsserted"), Classification.UNKNOWN, [])
    assert not may_see("TOP_SECRET", COMPARTMENTS, event)
