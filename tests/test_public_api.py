"""The package's public surface is what it claims to be."""

import ledger
import ledger.codec
import ledger.domain
import ledger.subscription


def test_all_names_exist() -> None:
    for module in (ledger, ledger.domain, ledger.codec):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_every_event_type_is_exported() -> None:
    for name in ledger.EVENT_TYPES:
        assert name in ledger.__all__


def test_typed_package() -> None:
    from importlib import resources

    assert resources.files("ledger").joinpath("py.typed").is_file()


def test_schemas_and_examples_ship_with_the_package() -> None:
    from importlib import resources

    assert any(resources.files("schemas").joinpath("events").iterdir())
    assert resources.files("ledger.examples").joinpath("seed-article.jsonl").is_file()
    assert any(
        p.name.endswith(".sql")
        for p in resources.files("ledger.store").joinpath("migrations").iterdir()
    )


def test_the_stream_client_is_public() -> None:
    assert ledger.subscribe is ledger.subscription.subscribe
    assert issubclass(ledger.BrokenChain, ledger.LedgerError)
    assert issubclass(ledger.StreamCut, ledger.LedgerError)
    assert {"subscribe", "Subscription", "BrokenChain", "StreamCut"} <= set(ledger.__all__)


def test_importing_the_package_leaves_the_http_client_for_when_it_is_used() -> None:
    import subprocess
    import sys

    code = "import sys, ledger; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
