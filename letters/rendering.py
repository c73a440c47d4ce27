"""Letters as HTML and PDF: WeasyPrint from our templates with a print stylesheet, fetching only our static files.

The print stylesheet is parsed and the fonts are loaded once per worker process (module-level cache), not once per
letter: that is most of WeasyPrint's fixed cost. The letter's HTML comes only from its frozen `content` (see
`letters.actions.drafting`), so rendering reads no family data the approver did not see.
"""

import functools
import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from . import languages, whereabouts, wording
from .states import LetterKind

logger = logging.getLogger(__name__)

PRINT_STYLESHEET = "letters/print.css"
# The fonts letters ship with (Arabic script for Urdu and Arabic) and right-to-left rules: `letters.languages`.
LANGUAGES_STYLESHEET = "letters/languages.css"
# Relative URLs in a letter resolve against this base; the fetcher serves only STATIC_URL under it.
BASE_URL = "https://letters.invalid/"


class RefusedFetch(ValueError):
    """WeasyPrint asked for something other than our own static files."""


def static_path(url: str) -> Path | None:
    """The file behind one of our static URLs, or None for anything else (other hosts, schemes, `..`)."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    relative = url[len(prefix) :].split("?")[0].split("#")[0]
    if not relative or ".." in Path(relative).parts or relative.startswith("/"):
        return None
    found = finders.find(relative)
    return Path(found) if found else None


@functools.cache
def url_fetcher():
    """A WeasyPrint URL fetcher that serves our static files and refuses http(s), file, data and everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                logger.warning("Letter rendering refused to fetch %s", url[:80])
                raise RefusedFetch(f"Letters may load only this service's static files, not {url[:80]}")
            return URLFetcherResponse(url, body=path.read_bytes())

    return StaticOnlyFetcher()


@functools.cache
def font_config():
    """One FontConfiguration per process: fontconfig's font scan happens once."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _stylesheet(name: str):
    """One of our stylesheets, its relative URLs (fonts) resolved beside it under STATIC_URL."""
    from weasyprint import CSS

    path = finders.find(name)
    base_url = BASE_URL.rstrip("/") + settings.STATIC_URL + name
    return CSS(string=Path(path).read_text(), font_config=font_config(), url_fetcher=url_fetcher(), base_url=base_url)


@functools.cache
def print_stylesheet():
    """The parsed print stylesheet, once per process."""
    return _stylesheet(PRINT_STYLESHEET)


@functools.cache
def languages_stylesheet():
    """The shipped fonts' @font-face rules and right-to-left rules, parsed (and the fonts loaded) once per process."""
    return _stylesheet(LANGUAGES_STYLESHEET)


def warm_up() -> None:
    """Parse the stylesheet and load the fonts now (a worker calls this when it starts)."""
    html_to_pdf("<p>warm-up</p>")


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with the cached stylesheet and fonts; fetches only our static files."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(stylesheets=[print_stylesheet(), languages_stylesheet()], font_config=font_config())


def table(rows: list[dict], columns: list[tuple[str, str]]) -> dict | None:
    """A table of `rows` with only the columns some row fills (a reader never meets an empty column); None if no
    row has anything to show."""
    kept = [(key, label) for key, label in columns if any(str(row.get(key) or "").strip() for row in rows)]
    if not rows or not kept:
        return None
    return {"headers": [label for _, label in kept], "rows": [[row.get(key) or "" for key, _ in kept] for row in rows]}


def _tables(letter, content: dict, key: str) -> list[dict]:
    """The body's tables: the requested actions (who, what, by when), or the outcomes (measures with their bands,
    then the helping questions). Letters drafted before goals had their own list keep them in `scales`."""
    if key == "actions":
        found = table(content.get("actions", []), [("who", "Who"), ("what", "What"), ("by_when", "By when")])
        return [found] if found else []
    measures = table(
        content.get("scales", []), [("name", "Measure"), ("start", "Start"), ("end", "End"), ("band", "Band")]
    )
    goals = table(content.get("goals", []), [("name", "Helping question"), ("start", "Start"), ("end", "End")])
    return [t for t in (measures, goals) if t]


def body(letter, content: dict, sections: dict) -> list[dict]:
    """The letter's body in print order (`wording.BODY`): headed sections with text, and tables with rows."""
    labels = dict(wording.SECTIONS[letter.kind])
    blocks = []
    for key in wording.BODY[letter.kind]:
        if key in ("actions", "outcomes"):
            tables = _tables(letter, content, key)
            if tables:
                heading = wording.TABLE_HEADINGS.get((letter.kind, key), key.capitalize())
                blocks.append({"key": key, "label": heading, "tables": tables})
        elif sections.get(key, "").strip():
            blocks.append(languages.block(key, labels[key], sections[key], content))
    return blocks


def _contact(contact: dict) -> dict:
    """The service's contact details, with the postal address also on one line (for "Who to contact")."""
    lines = [line.strip() for line in (contact.get("address") or "").splitlines() if line.strip()]
    return {**contact, "address_inline": ", ".join(lines)}


def letter_context(letter) -> dict:
    """What the PDF template shows, from the letter's frozen content only; a professional's letter about a family
    with a confidential address shows no address fields, whatever its content holds (`letters.whereabouts`)."""
    content = letter.content or {}
    values = content.get("values", {})
    sections = {key: wording.fill(text, values) for key, text in content.get("sections", {}).items()}
    shown = [
        languages.block(key, label, sections[key], content)
        for key, label in wording.SECTIONS[letter.kind]
        if sections.get(key, "").strip()
    ]
    withheld = whereabouts.withholds_address(letter.referral, letter.kind)
    patient = {**content.get("patient", {}), **({"address": ""} if withheld else {})}
    opening = sections.get("opening", "").strip()
    salutation = content.get("salutation", "")
    if opening.lower().startswith("dear "):
        salutation = ""  # the service's own wording opens the letter already
    return {
        "letter": letter,
        "content": content,
        "patient": patient,
        "address_withheld": withheld,
        # Every filled section in the edit page's order (the letter's page lists these, with any problem beside).
        "sections": shown,
        "body": body(letter, content, sections),
        "salutation": salutation,
        "valediction": "Yours sincerely," if salutation or opening.lower().startswith("dear ") else "",
        "opening": opening,
        "closing": sections.get("closing", "").strip(),
        "opening_block": next((s for s in shown if s["key"] == "opening"), None),
        "closing_block": next((s for s in shown if s["key"] == "closing"), None),
        "language": content.get("language") or {},
        "contact": _contact(content.get("contact") or {}),
        "is_family_letter": letter.kind == LetterKind.FAMILY,
    }


def letter_html(letter) -> str:
    return render_to_string(settings.LETTER_TEMPLATE, letter_context(letter))


def render_letter_pdf(letter) -> tuple[bytes, float]:
    """The letter's PDF and the seconds WeasyPrint took (the benchmark's floor is that part alone)."""
    html = letter_html(letter)
    started = time.perf_counter()
    pdf = html_to_pdf(html)
    return pdf, time.perf_counter() - started
