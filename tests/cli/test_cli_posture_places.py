"""``ledger posture`` names a place by its gazetteer name, the report's wording below."""

import csv
import io
import json

from tests.helpers import ledger_cli


def test_the_posture_shows_the_gazetteer_name_and_the_wording_as_detail(seeded_url: str) -> None:
    table = ledger_cli("posture", "--place", "Damascus", database_url=seeded_url)
    assert table.returncode == 0, table.stderr
    assert "Damascus" in table.stdout and "reported: the Syria capital" in table.stdout
    as_json = json.loads(
        ledger_cli(
            "posture", "--place", "Damascus", "--format", "json", database_url=seeded_url
        ).stdout
    )
    assert {(r["place"], r["place_reported"]) for r in as_json["rows"]} == {
        ("Damascus", "the Syria capital")
    }
    rows = list(
        csv.DictReader(
            io.StringIO(
                ledger_cli(
                    "posture", "--place", "Damascus", "--format", "csv", database_url=seeded_url
                ).stdout
            )
        )
    )
    assert rows and {(r["place"], r["place_reported"]) for r in rows} == {
        ("Damascus", "the Syria capital")
    }
