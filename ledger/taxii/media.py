"""TAXII 2.1 media types and content negotiation (spec section 1.6.8)."""

TAXII = "application/taxii+json;version=2.1"
"""What every TAXII answer is, errors included."""
STIX = "application/stix+json;version=2.1"
"""The media type of the objects a collection holds (its ``media_types``)."""

_TAXII_TYPE = "application/taxii+json"


def _parts(media_range: str) -> tuple[str, dict[str, str]]:
    """A media range as (type/subtype, parameters), both lower-cased, quotes dropped."""
    kind, *params = media_range.split(";")
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        found[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), found


def _taxii_21(kind: str, params: dict[str, str]) -> bool:
    """Whether a media type is TAXII 2.1 (no version means the newest, 2.1)."""
    return kind == _TAXII_TYPE and params.get("version", "2.1") == "2.1"


def accepts_taxii(accept: str | None) -> bool:
    """Whether an ``Accept`` header admits TAXII 2.1: ``application/taxii+json`` of version
    2.1 or of no version, or a wildcard (no header at all admits anything, RFC 9110)."""
    if accept is None or not accept.strip():
        return True
    for media_range in accept.split(","):
        kind, params = _parts(media_range)
        if params.get("q", "1") in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind in ("*/*", "application/*") or _taxii_21(kind, params):
            return True
    return False


def is_taxii(content_type: str | None) -> bool:
    """Whether a body's ``Content-Type`` is TAXII 2.1 (what a POST must send)."""
    if content_type is None:
        return False
    kind, params = _parts(content_type)
    return _taxii_21(kind, params)
