"""A family's confidential address (often a refuge) never reaches a professional through a letter.

Two controls (hazard log CA-01 to CA-03), because one is not enough:

- **By construction**: a letter to a professional about such a family carries no address fields. Drafting leaves
  the address out of the demographics, approval clears it again (the family may have been marked confidential
  after the letter was drafted), and the PDF template prints "Not shared" in its place.
- **What staff write**: the letter's editable fields (its sections and the recipient) are checked with
  `core.addresses` against every parent's address, so "2404, Larch Close", "PE3-4AG" or "Larch Cl." are caught
  while the town in the letterhead, or in a sentence about local services, is not. The letterhead, the service's
  fixed wording outside the sections and the demographics are never checked: they are not the writer's text.

The approver of such a letter also confirms that it reveals no whereabouts; the confirmation is in the family's
history (`letters.actions.approval`).
"""

from core import addresses

from . import wording
from .states import PROFESSIONAL_KINDS

CONFIRM_FIELD = "confirmed_no_whereabouts"
CONFIRM_LABEL = (
    "I have read this letter and it says nothing about where the family lives or stays: no address, street, house "
    "or flat name, postcode or anything else that would lead someone to them"
)
CONFIRM_MISSING = (
    "Confirm that this letter says nothing about where the family lives or stays: their address is confidential "
    "and this letter goes to a professional"
)
RECIPIENT_LABELS = {"recipient_name": "To", "recipient_address": "Address or team"}


def withholds_address(referral, kind: str) -> bool:
    """Is this a letter to a professional about a family whose address is confidential?"""
    return kind in PROFESSIONAL_KINDS and referral.confidential_address


def family_addresses(referral) -> list[addresses.Address]:
    """Every parent's address, split into the parts that lead to the family."""
    return [addresses.parse(parent.address, parent.postcode) for parent in referral.parents.all()]


def _message(label: str, what: str) -> str:
    return (
        f"“{label}” gives away where the family lives ({what}). Their address is confidential and this letter "
        f"goes to a professional: change “{label}” to take out {what} and anything else that says where they "
        "live or stay."
    )


def findings(*, referral, kind: str, sections: dict, recipient_name: str = "", recipient_address: str = "") -> dict:
    """{field: message} for each editable field of the letter that gives the family's address away; {} if none,
    or if the letter is not one to a professional about a family with a confidential address."""
    if not withholds_address(referral, kind):
        return {}
    known = family_addresses(referral)
    fields = {key: (label, sections.get(key, "")) for key, label in wording.SECTIONS[kind]}
    fields |= {
        "recipient_name": (RECIPIENT_LABELS["recipient_name"], recipient_name),
        "recipient_address": (RECIPIENT_LABELS["recipient_address"], recipient_address),
    }
    found = {}
    for field, (label, text) in fields.items():
        what = next(filter(None, (addresses.found_in(text or "", address) for address in known)), None)
        if what:
            found[field] = _message(label, what)
    return found


def letter_findings(letter) -> dict:
    """`findings` for a letter as it reads now."""
    return findings(
        referral=letter.referral,
        kind=letter.kind,
        sections=letter.content.get("sections", {}),
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address,
    )


def without_address(content: dict) -> dict:
    """The letter's content with the family's address fields emptied (for a letter that must not carry them)."""
    patient = {**content.get("patient", {}), "address": ""}
    return {**content, "patient": patient}
