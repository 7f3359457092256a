"""Small helpers for writing SVG by hand: escaped attributes and numbers kept short."""

from markupsafe import Markup, escape


def num(value: float) -> str:
    """A coordinate with at most three decimals and no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**given: object) -> str:
    """``name="value"`` pairs (underscores become dashes; None values left out)."""
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in given.items()
        if value is not None
    )


def element(tag: str, body: str = "", **given: object) -> str:
    inner = attrs(**given)
    opening = f"<{tag} {inner}" if inner else f"<{tag}"
    return f"{opening}>{body}</{tag}>" if body else f"{opening}/>"


def title(text: str) -> str:
    """A tooltip: the browser shows an SVG <title> on hover."""
    return f"<title>{escape(text)}</title>"


def text(value: str, **given: object) -> str:
    return element("text", str(escape(value)), **given)


def markup(parts: list[str]) -> Markup:
    return Markup("".join(parts))
