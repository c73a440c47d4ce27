"""What a figure's CSV holds, for the download made in the request and the export prepared in the background.

References, dates, site, source and status: no names, no free text. Only when the person asks for it are the
referral's two free-text reasons added (the referrer's details of why, and why the referral was closed); those
may name people or describe their health, so the request form says so. Every text cell is written so a
spreadsheet shows it as text and never runs it as a formula.
"""

from dashboards.reads import Scope, figure_lists

CSV_FIELDS = ["reference", "service", "site", "date_received", "referral_source", "status", "triaged_at", "closed_at"]
FREE_TEXT_FIELDS = ["reason_details", "closed_reason"]
FREE_TEXT_LABELS = ["the referrer's details of the reason for referral", "the reason the referral was closed"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header(include_free_text: bool) -> list[str]:
    """The CSV's first row."""
    return CSV_FIELDS + (FREE_TEXT_FIELDS if include_free_text else [])


def figure_referrals(build):
    """A figure's families (its `figure_lists` builder), in a fixed order, with what a row needs."""
    return build().select_related("service", "site", "referral_source").order_by("date_received", "pk")


def text_cell(value: str) -> str:
    """A cell a spreadsheet shows as typed: a leading =, +, -, @ or tab would otherwise make it a formula."""
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def row(referral, include_free_text: bool) -> list[str]:
    """One family's row."""
    cells = [
        referral.reference,
        text_cell(referral.service.name),
        text_cell(referral.site.name),
        referral.date_received.isoformat(),
        text_cell(referral.referral_source.name),
        referral.get_status_display(),
        referral.triaged_at.isoformat() if referral.triaged_at else "",
        referral.closed_at.isoformat() if referral.closed_at else "",
    ]
    if include_free_text:
        cells += [text_cell(referral.reason_details), text_cell(referral.closed_reason)]
    return cells


def download_name(figure: str, start=None, end=None) -> str:
    """A file name from the figure's key (and period): letters, digits and hyphens only."""
    name = "".join(ch if ch.isalnum() else "-" for ch in figure.replace(" ", "")).strip("-") or "figure"
    if start and end:
        name = f"{name}-{start.isoformat()}-to-{end.isoformat()}"
    return f"{name}.csv"


def export_scope(export, user=None) -> Scope:
    """The scope an export covers, as `user` (the requester, unless told otherwise) sees it now."""
    return Scope(
        user=user or export.requested_by, service=export.service, site=export.site, start=export.start, end=export.end
    )


def figure_title(export, user=None) -> str:
    """The figure's title as the list page shows it (builds no query)."""
    found = figure_lists(export_scope(export, user)).get(export.figure)
    return found[0] if found else export.figure
