"""The referral API's shapes: separate input and output serializers; the actions do the writing."""

from .inputs import (
    TRIAGE_SCHEMA,
    BirthIn,
    InformationReceivedIn,
    NHSNumberField,
    OtherChildIn,
    ParentIn,
    ReferralIn,
    ReferralListParams,
    ReferralUpdateIn,
    TriageIn,
    WithdrawIn,
    YesNoUnknownField,
)
from .outputs import (
    NamedOut,
    OtherChildOut,
    ParentOut,
    PossibleDuplicateOut,
    PossibleDuplicatesOut,
    ReferralListOut,
    ReferralOut,
    TriageDecisionOut,
)

__all__ = [
    "TRIAGE_SCHEMA",
    "BirthIn",
    "InformationReceivedIn",
    "NHSNumberField",
    "NamedOut",
    "OtherChildIn",
    "OtherChildOut",
    "ParentIn",
    "ParentOut",
    "PossibleDuplicateOut",
    "PossibleDuplicatesOut",
    "ReferralIn",
    "ReferralListOut",
    "ReferralListParams",
    "ReferralOut",
    "ReferralUpdateIn",
    "TriageDecisionOut",
    "TriageIn",
    "WithdrawIn",
    "YesNoUnknownField",
]
