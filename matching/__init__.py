"""Invoice + master data -> vendor, risk flags and the approval decision.

Public API: ``match_vendor``, ``bank_change``, ``duplicates``, ``decide``,
``Policy``, ``Decision``, ``VendorMatch``. Every result carries its reasons.
"""

from matching.decide import Decision
from matching.decide import Policy
from matching.decide import decide
from matching.risk import bank_change
from matching.risk import duplicates
from matching.vendors import VendorMatch
from matching.vendors import match_vendor

__all__ = [
    "Decision",
    "Policy",
    "VendorMatch",
    "bank_change",
    "decide",
    "duplicates",
    "match_vendor",
]
