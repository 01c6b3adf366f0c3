"""Checks on a reply before it goes out: its length against the channel's limit, the
signature, and statements that are risky in public (dates, prices, refunds, promises,
legal words).

Pure functions over text; the service applies them (:mod:`cxdaily.service.replies`) and
the app and the command line ask the leader to confirm what they flag.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

from cxdaily.replies.dates import find_dates
from cxdaily.replies.saved_fill import placeholders_left

SIGNATURE_SEPARATOR = "\n\n"
_APOSTROPHE = "['’]"


class RiskKind(StrEnum):
    """What kind of risky statement a finding is."""

    DATE = "date"
    PRICE = "price"
    REFUND = "refund"
    PROMISE = "promise"
    LEGAL = "legal"
    PLACEHOLDER = "gap"


#: Why each kind matters, in one line for the confirmation.
RISK_ADVICE: dict[RiskKind, str] = {
    RiskKind.DATE: "a date in public is a commitment: is it certain?",
    RiskKind.PRICE: "prices are quoted back: is this the current one?",
    RiskKind.REFUND: "a refund or compensation in public invites others to ask for the same",
    RiskKind.PROMISE: "a promise will be held against you: it goes into the promise ledger",
    RiskKind.LEGAL: "legal words can read as admitting fault: check with legal first",
    RiskKind.PLACEHOLDER: "an unfilled placeholder: the customer would read it as written",
}

#: The noun for each kind, as the summary line uses it.
RISK_NOUN: dict[RiskKind, str] = {
    RiskKind.DATE: "a date",
    RiskKind.PRICE: "a price",
    RiskKind.REFUND: "a refund or compensation",
    RiskKind.PROMISE: "a promise",
    RiskKind.LEGAL: "a legal word",
    RiskKind.PLACEHOLDER: "an unfilled placeholder",
}

PRICE_PATTERN = re.compile(
    r"(?:[$€£¥₹]\s?\d[\d,.]*(?:\s?[km]\b)?"
    r"|\b\d[\d,.]*\s?(?:usd|eur|gbp|chf|dollars?|euros?|pounds?|bucks)\b"
    r"|\b\d{1,3}(?:\.\d+)?\s?%\s+(?:off|discount)\b"
    r"|\b(?:price[ds]?|pricing|discount(?:s|ed)?|free\s+of\s+charge|for\s+free|no\s+charge"
    r"|at\s+no\s+(?:extra\s+)?cost|coupon|promo\s+code)\b)",
    re.IGNORECASE,
)
REFUND_PATTERN = re.compile(
    r"\b(?:refund(?:s|ed|ing)?|reimburs\w*|money\s+back|chargebacks?|compensat\w*"
    r"|(?:account|store|goodwill)\s+credit|credit(?:ed)?\s+(?:your|the)\s+account"
    r"|waive[ds]?|free\s+month)\b",
    re.IGNORECASE,
)
LEGAL_PATTERN = re.compile(  # "sue" in lower case (or all capitals): "Sue" is a name
    r"\b(?:liab(?:le|ility|ilities)|lawsuits?|lawyers?|attorneys?|legal(?:ly)?"
    r"|(?-i:sue[ds]?|SUE[DS]?)|suing"
    r"|courts?|guarantee[ds]?|warrant(?:y|ies)|negligen\w*|breach(?:ed|es)?|gdpr"
    r"|settlements?|indemnif\w*|fault)\b",
    re.IGNORECASE,
)
PROMISE_PATTERN = re.compile(
    rf"\b(?:I{_APOSTROPHE}ll|I\s+will|we{_APOSTROPHE}ll|we\s+will|I{_APOSTROPHE}m\s+going\s+to"
    rf"|we{_APOSTROPHE}re\s+going\s+to|I\s+am\s+going\s+to|we\s+are\s+going\s+to"
    r"|I\s+promise|we\s+promise|you\s+have\s+my\s+word|rest\s+assured|count\s+on\s+(?:me|us)"
    r"|let\s+me\s+(?:check|look|find\s+out|get\s+back|follow\s+up|see)"
    r"|will\s+(?:follow\s+up|get\s+back|be\s+(?:fixed|back|live|released|shipped|resolved)))\b",
    re.IGNORECASE,
)
_PATTERNS = (
    (RiskKind.REFUND, REFUND_PATTERN),
    (RiskKind.LEGAL, LEGAL_PATTERN),
    (RiskKind.PRICE, PRICE_PATTERN),
    (RiskKind.PROMISE, PROMISE_PATTERN),
)


class Finding(msgspec.Struct, frozen=True):
    """A risky statement in a reply: its kind, the words, and where they are."""

    kind: RiskKind
    text: str
    start: int
    end: int

    @property
    def advice(self) -> str:
        """Why it matters, in one line."""
        return RISK_ADVICE[self.kind]


def risky_statements(text: str, now: datetime, zone: ZoneInfo) -> list[Finding]:
    """Every risky statement in ``text``, in reading order; overlapping words count once."""
    candidates = [
        Finding(RiskKind.DATE, m.text, m.start, m.end) for m in find_dates(text, now, zone)
    ]
    for kind, pattern in _PATTERNS:
        candidates.extend(
            Finding(kind, m.group(0), m.start(), m.end()) for m in pattern.finditer(text)
        )
    kept: list[Finding] = []
    for finding in candidates:  # dates first, then the order of _PATTERNS
        if not any(finding.start < k.end and k.start < finding.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def placeholder_gaps(text: str) -> list[Finding]:
    """Every placeholder left in a reply (a saved reply's gap nobody filled, see
    :func:`~cxdaily.replies.saved_fill.placeholders_left`): worth a confirmation in any
    reply, public or not."""
    return [
        Finding(RiskKind.PLACEHOLDER, text[gap.start : gap.end], gap.start, gap.end)
        for gap in placeholders_left(text)
    ]


def summarize_findings(findings: list[Finding] | tuple[Finding, ...], limit: int = 4) -> str:
    """'a date ("by Friday"), a refund or compensation ("refund")': one phrase per kind."""
    first: dict[RiskKind, Finding] = {}
    for finding in findings:
        first.setdefault(finding.kind, finding)
    parts = [f'{RISK_NOUN[kind]} ("{f.text}")' for kind, f in first.items()]
    if len(parts) > limit:
        parts = [*parts[:limit], f"{len(parts) - limit} more"]
    return ", ".join(parts)


def signed(body: str, signature: str | None) -> str:
    """The reply as sent: trimmed, with the channel's signature appended once."""
    text = body.strip()
    sign = (signature or "").strip()
    if not text or not sign or text.endswith(sign):
        return text
    return f"{text}{SIGNATURE_SEPARATOR}{sign}"


def unsigned(text: str, signature: str | None) -> str:
    """The reply without the signature :func:`signed` appended (to restore a draft)."""
    sign = (signature or "").strip()
    suffix = f"{SIGNATURE_SEPARATOR}{sign}"
    if sign and text.endswith(suffix):
        return text[: -len(suffix)]
    return text


def length_problem(length: int, limit: int | None, channel: str) -> str | None:
    """Why a reply of ``length`` characters cannot go out on ``channel``, or None."""
    if limit is not None and length > limit:
        return (
            f"the reply is {length} characters; {channel} accepts at most {limit} "
            f"({length - limit} over)"
        )
    return None


class ReplyReview(msgspec.Struct, frozen=True):
    """What the checks say about a reply, before it is queued."""

    text: str
    """The reply as it would be sent (trimmed, signed)."""
    limit: int | None
    """The channel's longest reply, in characters (None: no limit)."""
    public: bool
    """Whether the reply will be public (risky statements are flagged only then)."""
    problems: tuple[str, ...]
    """Reasons the reply cannot be sent as written (empty, too long, already answered)."""
    findings: tuple[Finding, ...]
    """Risky statements the leader should confirm."""
    replaces: bool = False
    """The service keeps one reply per question and one was sent: this one replaces it."""

    @property
    def length(self) -> int:
        """Characters in the reply as sent."""
        return len(self.text)

    @property
    def distinct_findings(self) -> tuple[Finding, ...]:
        """Each risky statement once: the same words of the same kind are listed once."""
        seen: set[tuple[RiskKind, str]] = set()
        kept = []
        for finding in self.findings:
            key = (finding.kind, " ".join(finding.text.lower().split()))
            if key not in seen:
                seen.add(key)
                kept.append(finding)
        return tuple(kept)

    @property
    def ok(self) -> bool:
        """Whether the reply may be queued (perhaps after a confirmation)."""
        return not self.problems

    @property
    def needs_confirmation(self) -> bool:
        """Whether the leader must confirm risky statements first."""
        return bool(self.findings)

    def confirmation_line(self) -> str:
        """One line naming what needs a confirmation."""
        public = "public " if self.public else ""
        return f"this {public}reply mentions {summarize_findings(self.findings)}"
