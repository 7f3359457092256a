"""The log's signing key in a file of its own, never in the database: whoever holds only
the database cannot sign a checkpoint."""

import os
from pathlib import Path

from ledger.errors import CannotRun, LedgerError
from ledger.log.note import ED25519, NoteError, Signer


def load_signer(path: Path) -> Signer:
    """The signing key in ``path``, or one clear error saying what to do."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise CannotRun(
            f"no signing key at {path}: run `ledger init` to create one, "
            "or set LEDGER_SIGNING_KEY_FILE"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CannotRun(f"{path}: cannot read the signing key: {exc}") from None
    try:
        return Signer.parse(text)
    except NoteError as exc:
        raise LedgerError(f"{path}: {exc}") from None


def ensure_signer(path: Path, name: str, key_type: int = ED25519) -> tuple[Signer, bool]:
    """The key in ``path``, created (readable by its owner only) if there is none yet;
    True when it was created now."""
    if path.exists():
        return load_signer(path), False
    signer = Signer.generate(name, key_type)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_signer(path), False
    except OSError as exc:
        raise LedgerError(f"{path}: cannot create the signing key: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.encode() + "\n")
    return signer, True
