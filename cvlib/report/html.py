"""Self-contained HTML of an executed notebook: no code, images embedded, no network fetches."""

from __future__ import annotations

import functools
import json
import re
import threading
from pathlib import Path

__all__ = ["TEMPLATES_DIR", "export_html", "network_references", "prepare_export"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# a script, link or module import that would fetch something from a network address; three
# patterns, each starting with a character the regex engine can skip ahead to (a page carries
# its charts as long base64 text, which a pattern tried at every position reads 5 times slower)
_TAG_REF = re.compile(
    r"""<(?:script|link|iframe|img)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
    re.IGNORECASE,
)
# the letters that match "i" when case is ignored; at a word start (checked where it is used)
_IMPORT_REF = re.compile(r"""[Ii\u0130\u0131](?i:mport\s*\(\s*["'](?:https?:)?//)""")
_CSS_IMPORT_REF = re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//""", re.IGNORECASE)


def export_html(notebook, *, title: str, back_link: str | None = None) -> str:
    """Render an executed notebook as self-contained HTML.

    No code cells or prompts, images embedded, ``title`` as the page title,
    an optional link back (``back_link``) at the top, and nothing loaded
    from a network address: the template drops require.js, MathJax, mermaid
    and widget scripts, and the result is checked for any remaining
    ``http(s)://`` script, link or ``import()``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or path
    title : str
        Plain text (escaped here).
    back_link : str, optional
        Relative URL of the index.

    Returns
    -------
    str
    """
    import nbformat

    if not hasattr(notebook, "cells"):
        notebook = nbformat.read(str(notebook), as_version=4)
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))  # a copy
    notebook.metadata["title"] = title
    with _EXPORT_LOCK:  # one exporter per process, not for two threads at once
        exporter = _exporter()
        body, _ = exporter.from_notebook_node(notebook, resources={"cvlib_back_link": back_link})
    found = network_references(body)
    if found:
        raise RuntimeError(f"the HTML would load from a network address: {found[0]!r}")
    return body


#: ``cvlib report`` renders pages from several threads (the releases', the index's).
_EXPORT_LOCK = threading.Lock()


@functools.cache
def _exporter():
    """The HTML exporter, made once per process (nbconvert compiles its templates on first use)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name="cvlib",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # the notebook validated once, after the preprocessors, not after each of them
        optimistic_validation=True,
    )


def prepare_export() -> None:
    """Import nbconvert and compile the page's templates ahead of the first export.

    ``cvlib report`` does it while its workers build the releases (it renders
    their pages and the index): the first :func:`export_html` then
    pays only for its own page (about 0.1 s instead of 0.8 s with the imports).
    """
    import nbformat

    export_html(nbformat.v4.new_notebook(), title="")


def network_references(page: str) -> list[str]:
    """Scripts, links, images or imports in ``page`` that point at a network address.

    Examples
    --------
    >>> network_references('<script src="https://cdn.example/x.js"></script><a href="https://example.org">ok</a>')
    ['<script src="https://']
    >>> network_references('<script type="module">import("https://cdn/m.mjs")</script>')
    ['import("https://']
    >>> network_references('<style>@IMPORT url("//a.css")</style> reimport("//b") Import("//c")')
    ['@IMPORT url("//', 'Import("//']
    >>> network_references('<img title=import("//a") src="//b">')  # left to right, no overlap
    ['<img title=import("//a") src="//']
    >>> network_references('<img src="data:image/png;base64,AAAA" alt="chart">')
    []
    """
    found = sorted(
        (m for p in (_TAG_REF, _IMPORT_REF, _CSS_IMPORT_REF) for m in p.finditer(page)),
        key=lambda m: m.start(),
    )
    kept, end = [], 0
    for m in found:  # as one pattern of three alternatives reads: left to right, no overlaps
        at_word_start = m.start() == 0 or not _word(page[m.start() - 1])
        if m.start() >= end and (m.re is not _IMPORT_REF or at_word_start):
            kept.append(m.group(0))
            end = m.end()
    return kept


def _word(char: str) -> bool:
    """Whether ``char`` is a word character (as the regex ``\\w``)."""
    return char.isalnum() or char == "_"
