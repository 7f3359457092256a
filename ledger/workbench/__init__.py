"""The analyst workbench: server-rendered pages over the read service.

``ledger serve`` mounts it under ``/workbench`` (``install``). Every page reads through
the read service the HTTP API uses (``reads.reads_for``), so a page and the API answer
alike at the same position; the workbench only formats those answers as HTML and SVG.
"""

from ledger.workbench.app import install

__all__ = ["install"]
