"""One fetch of the ``email`` channel: which UIDs to read, which messages are questions,
and each question's thread.

The rules (see :mod:`cxdaily.connectors.email` for the whole channel):

- **Checkpoint** ``{uidvalidity, last_uid}`` (plus ``since`` while a first window is read
  over several fetches). The same UIDVALIDITY: ``UID SEARCH UID last+1:*`` (the highest
  UID, always returned, is filtered out). None or another one: ``UID SEARCH SINCE`` the
  window's first day; ids come from ``Message-ID``, so a resync stores no duplicates.
- **Bounded:** ``batch_size`` UIDs per FETCH, sizes first, at most
  :data:`MAX_MESSAGES_PER_FETCH` messages and :data:`MAX_FETCH_BYTES` per fetch; a
  message bigger than :data:`~cxdaily.connectors.email_imap.MAX_MESSAGE_BYTES` is read
  up to that size (its attachments are never loaded).
- **Skipped:** automated mail (auto-replies, bounces, lists, bulk), our own mail,
  ``skip_from`` senders, and with ``only_to`` mail not sent (To, Cc or Delivered-To) to
  one of those addresses or domains. One unreadable message is a warning.
- **Threads:** a question's thread is its root (first of ``References``, else
  ``In-Reply-To``, else its own ``Message-ID``), or by subject (``thread_subject``) with
  the same correspondent when a message names no earlier one. Its context is the
  earlier messages of the thread in this fetch and, a few per fetch, those its
  ``References`` name (looked up by ``HEADER Message-ID`` in the folder and the Sent
  folder). A question the team answered later in the thread, or flagged ``\\Answered``
  already, is *settled*; the team's messages are those of the folder and the new ones of
  the Sent folder (see :mod:`cxdaily.connectors.email_sent`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from cxdaily.connectors.base import FetchResult
from cxdaily.connectors.email_imap import (
    MAX_MESSAGE_BYTES,
    Fetched,
    Folder,
    ImapSession,
    chunks,
    imap_date,
    kept_uid,
)
from cxdaily.connectors.email_sent import folders_to_search, read_sent
from cxdaily.connectors.mail_message import MailMessage, parse_message, thread_subject
from cxdaily.connectors.parsing import MAX_TEXT_CHARS, QuestionShapeError, parse_question
from cxdaily.core.clock import to_iso
from cxdaily.core.errors import ConnectorError
from cxdaily.core.models import Question

#: Messages read by one fetch at most; the rest comes with the next.
MAX_MESSAGES_PER_FETCH = 1000
#: Bytes read by one fetch at most (at least one message is always read).
MAX_FETCH_BYTES = 64 * 2**20
#: Earlier messages looked up by ``Message-ID`` per question, and per fetch.
REFERENCES_PER_QUESTION = 3
REFERENCES_PER_FETCH = 30
#: Providers where an address's domain says nothing about its team: with a ``from_address``
#: there, only our own addresses are the team's.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "fastmail.com",
        "zoho.com",
    ]
)
_IMAP_DAY = re.compile(r"\d{2}-[A-Z][a-z]{2}-\d{4}")
#: Context messages kept per question (the latest).
MAX_CONTEXT = 20
MAX_LISTED_WARNINGS = 20


def bare_id(message_id: Any) -> str:
    """A Message-ID without its angle brackets and spaces ("" when there is none)."""
    if not isinstance(message_id, str):
        return ""
    return message_id.strip().strip("<>").strip()


def bracketed(message_id: str) -> str:
    """``<id>``."""
    return f"<{bare_id(message_id)}>"


def native_id(message_id: Any, raw: bytes) -> str:
    """A message's id in cxdaily: its Message-ID, or a hash of it (or of the message)."""
    bare = bare_id(message_id)
    if bare and len(bare) <= 150 and all(33 <= ord(c) < 127 for c in bare):
        return bare
    return (
        "sha256-"
        + hashlib.sha256(bare.encode("utf-8", "replace") if bare else raw).hexdigest()[:32]
    )


def address_of(value: Any) -> str:
    """One address, lowercased, from text, a ``(name, address)`` pair or an address object."""
    if isinstance(value, tuple) and len(value) == 2:
        value = value[1]
    elif not isinstance(value, str):
        value = getattr(value, "address", None) or getattr(value, "addr_spec", None) or ""
    if not isinstance(value, str):
        return ""
    found = getaddresses([value])
    return (found[0][1] if found else value).strip().lower()


def addresses_of(value: Any) -> list[str]:
    """Every address in ``value`` (header text, or a list of addresses)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [a.lower() for _, a in getaddresses([value]) if a]
    if isinstance(value, list | tuple):
        return [a for a in (address_of(v) for v in value) if a]
    one = address_of(value)
    return [one] if one else []


def references_of(value: Any) -> list[str]:
    """Message-IDs, bracketed, from a list or header text."""
    items = (
        value.split()
        if isinstance(value, str)
        else value
        if isinstance(value, list | tuple)
        else []
    )
    return [bracketed(i) for i in items if isinstance(i, str) and bare_id(i)]


def matches(address: str, rules: tuple[str, ...]) -> bool:
    """Whether ``address`` is one of ``rules`` or at one of their domains."""
    domain = address.rpartition("@")[2]
    return any(rule == address or ("@" not in rule and rule == domain) for rule in rules)


@dataclass
class MailBox:
    """What a fetch needs to know of the channel, with an open IMAP session."""

    session: ImapSession
    channel: str
    kind: str
    folder: str
    sent_folder: str | None
    own: frozenset[str]
    team_domain: str
    only_to: tuple[str, ...] = ()
    skip_from: tuple[str, ...] = ()
    batch_size: int = 50

    def is_team(self, address: str) -> bool:
        """Whether ``address`` is ours or a teammate's (our address's domain)."""
        domain = address.rpartition("@")[2]
        return address in self.own or (domain == self.team_domain and domain not in FREE_MAIL)


@dataclass
class Item:
    """One message read: its parse and what the rules need."""

    fetched: Fetched
    mail: MailMessage
    message_id: str
    native: str
    sender: str
    recipients: list[str]
    when: datetime
    refs: list[str]
    root: str = ""
    folder: str = ""
    """Where a message looked up by its ``Message-ID``, or read from the Sent folder, was
    found."""

    @property
    def text(self) -> str:
        """What the sender wrote (quotes and signature stripped when that leaves text)."""
        for value in (self.mail.new_text, self.mail.body):
            if value.strip():
                return value.strip()[:MAX_TEXT_CHARS]
        return "(no text)"

    def author(self) -> dict[str, Any]:
        """The author as the question shape writes it."""
        name = self.mail.from_name
        return {"id": self.sender or None, "handle": self.sender or None,
                "name": name if isinstance(name, str) and name.strip() else None}  # fmt: skip


def read_time(value: Any, fallback: datetime | None, now: datetime) -> datetime:
    """A message's time: its Date when plausible, else INTERNALDATE, else now (UTC)."""
    if isinstance(value, str):
        try:
            value = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            value = None
    for candidate in (value, fallback):
        if isinstance(candidate, datetime):
            if candidate.tzinfo is None:
                candidate = candidate.replace(tzinfo=UTC)
            moment = candidate.astimezone(UTC)
            if datetime(1990, 1, 1, tzinfo=UTC) <= moment <= now + timedelta(days=2):
                return moment
    return now


@dataclass
class FetchRun:
    """One fetch (blocking); see the module's docstring."""

    box: MailBox
    window: datetime
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    warnings: list[str] = field(default_factory=list)
    unreadable: int = 0
    uidvalidity: int | None = None

    def warn(self, text: str) -> None:
        """Add a warning (the first few; the rest are counted)."""
        self.unreadable += 1
        if len(self.warnings) < MAX_LISTED_WARNINGS:
            self.warnings.append(text)

    def run(self, checkpoint: dict[str, Any] | None) -> FetchResult:
        """The questions, settled questions, warnings and next checkpoint."""
        session = self.box.session
        folder = session.open_folder(self.box.folder)
        self.uidvalidity = folder.uidvalidity
        cp = checkpoint or {}
        last, since = kept_uid(cp, folder), cp.get("since")
        notes: list[str] = []
        if last is not None:
            criteria = ["UID", f"{last + 1}:*"]
            since = since if isinstance(since, str) and _IMAP_DAY.fullmatch(since) else None
            if since:
                criteria += ["SINCE", since]
        else:
            if checkpoint and "uidvalidity" in cp:
                notes.append(
                    f"the folder {self.box.folder} changed its UIDVALIDITY (it was recreated): "
                    f"read again since {imap_date(self.window)}; stored questions are kept once"
                )
            last, since = 0, imap_date(self.window)
            criteria = ["SINCE", since]
        items, done, listed, new_last = self.read_new(folder, last, criteria)
        complete = len(done) == listed
        if not complete:
            notes.append(
                f"read {len(done)} of {listed} new messages (at most "
                f"{MAX_MESSAGES_PER_FETCH} or {MAX_FETCH_BYTES // 2**20} MB a fetch); the rest "
                "comes with the next fetch"
            )
        sent_items, sent_cp = read_sent(self, cp.get("sent"))
        questions, settled = self._questions([*items, *sent_items])
        if self.unreadable > len(self.warnings):
            self.warnings.append(f"{self.unreadable - len(self.warnings)} more messages skipped")
        new_cp: dict[str, Any] = {"uidvalidity": folder.uidvalidity, "last_uid": new_last}
        if since and not complete:
            new_cp["since"] = since
        if sent_cp:
            new_cp["sent"] = sent_cp
        return FetchResult(questions, new_cp, [*notes, *self.warnings], settled)

    # -- reading ------------------------------------------------------------------------
    def read_new(
        self, folder: Folder, last: int, criteria: list[str], *, most: int | None = None,
        budget: int | None = None,
    ) -> tuple[list[Item], list[int], int, int]:  # fmt: skip
        """The messages of the open ``folder`` that ``criteria`` find after UID ``last``,
        the first up to ``most`` messages and ``budget`` bytes (a fetch's limits by
        default), parsed; the UIDs read, how many were found, and the last UID the next
        fetch starts after (past the folder's end when all were read)."""
        session = self.box.session
        uids = [u for u in session.search(*criteria) if u > last] if folder.exists else []
        budget = MAX_FETCH_BYTES if budget is None else budget
        items: list[Item] = []
        done: list[int] = []
        for batch in chunks(uids[: most or MAX_MESSAGES_PER_FETCH], self.box.batch_size):
            sizes = session.sizes(batch)
            take: list[int] = []
            for uid in batch:
                cost = min(sizes.get(uid, 0), MAX_MESSAGE_BYTES)
                if cost > budget and (take or done):
                    break
                budget -= cost
                take.append(uid)
            for fetched in session.fetch(take, sizes):
                item = self.item_of(fetched)
                if item is not None:
                    items.append(item)
            done += take
            if len(take) < len(batch):
                break
        new_last = max([last, *done])
        if len(done) == len(uids) and folder.uidnext:
            new_last = max(new_last, folder.uidnext - 1)
        return items, done, len(uids), new_last

    def item_of(self, fetched: Fetched) -> Item | None:
        """One fetched message parsed, or ``None`` (with a warning) when it is unreadable."""
        try:
            mail = parse_message(fetched.raw)
        except Exception as exc:  # it reads anything; a bug in it costs one message
            self.warn(
                f"message UID {fetched.uid} could not be read ({type(exc).__name__}); skipped"
            )
            return None
        if not (mail.from_address or mail.message_id or mail.body.strip()):
            self.warn(f"message UID {fetched.uid} could not be read (not an email); skipped")
            return None
        headers = BytesHeaderParser(policy=default_policy).parsebytes(fetched.raw)
        delivered = [str(v) for v in headers.get_all("Delivered-To", [])]
        message_id = mail.message_id
        refs = references_of(mail.references)
        reply_to = mail.in_reply_to
        if not refs and isinstance(reply_to, str) and bare_id(reply_to):
            refs = [bracketed(reply_to)]
        return Item(
            fetched=fetched,
            mail=mail,
            message_id=bracketed(str(message_id)) if bare_id(message_id) else "",
            native=native_id(message_id, fetched.raw),
            sender=address_of(mail.from_address),
            recipients=[
                *addresses_of(mail.to),
                *addresses_of(mail.cc),
                *addresses_of(", ".join(delivered)),
            ],
            when=read_time(mail.date, fetched.internaldate, self.now),
            refs=refs,
        )

    def wanted(self, item: Item) -> bool:
        """Whether ``item`` is a customer's question (see the module's docstring)."""
        if item.mail.automated or self.box.is_team(item.sender):
            return False
        if not item.sender or matches(item.sender, self.box.skip_from):
            return False
        return not self.box.only_to or any(matches(r, self.box.only_to) for r in item.recipients)

    # -- threads ------------------------------------------------------------------------
    def _questions(self, items: list[Item]) -> tuple[list[Question], list[Question]]:
        items = [i for i in items if not i.mail.automated]
        items.sort(key=lambda i: (i.when, i.fetched.uid))
        by_id = {i.message_id: i for i in items if i.message_id}
        subject_index: dict[tuple[str, str], str] = {}
        for item in items:
            key, is_reply = _subject_key(item)
            # the customers this message is with: its sender, or whom the team wrote to
            people = item.recipients if self.box.is_team(item.sender) else [item.sender]
            people = [p for p in people if p and not self.box.is_team(p)]
            item.root = item.refs[0] if item.refs else ""
            if not item.root and key and is_reply:  # "Re: ..." naming no earlier message
                item.root = next(
                    (subject_index[(key, p)] for p in people if (key, p) in subject_index), ""
                )
            item.root = item.root or item.message_id or item.native
            for person in people if key else ():
                subject_index.setdefault((key, person), item.root)
        looked_up = self._look_up(items, by_id)
        questions: list[Question] = []
        settled: list[Question] = []
        for position, item in enumerate(items):
            if not self.wanted(item):
                continue
            later_team = any(
                self.box.is_team(o.sender) and o.sender != item.sender
                for o in items[position + 1 :] if o.root == item.root
            )  # fmt: skip
            answered = later_team or "\\Answered" in item.fetched.flags
            context = [o for o in items[:position] if o.root == item.root]
            context += [looked_up[r] for r in item.refs if r in looked_up and r not in by_id]
            context.sort(key=lambda o: o.when)
            question = self._question(item, context[-MAX_CONTEXT:], answered)
            if question is not None:
                (settled if answered else questions).append(question)
        settled += self._answered_earlier(items, looked_up, {q.id for q in questions + settled})
        return questions, settled

    def _answered_earlier(
        self, items: list[Item], looked_up: dict[str, Item], known: set[str]
    ) -> list[Question]:
        """Questions of earlier fetches that a team message of this one answers."""
        settled = []
        for item in items:
            parent = looked_up.get(item.refs[-1]) if item.refs else None
            if (
                parent is None
                or not self.box.is_team(item.sender)
                or parent.folder != self.box.folder
                or not self.wanted(parent)
            ):
                continue
            parent.root = parent.refs[0] if parent.refs else parent.message_id or parent.native
            question = self._question(parent, [], answered=True)
            if question is not None and question.id not in known:
                known.add(question.id)
                settled.append(question)
        return settled

    def _look_up(self, items: list[Item], by_id: dict[str, Item]) -> dict[str, Item]:
        """Earlier messages named by the questions' References, and those the team's
        messages answer, a few per fetch."""
        wanted: list[str] = []
        for item in items:
            missing = [r for r in item.refs if r not in by_id]
            if self.wanted(item):
                wanted += missing[-REFERENCES_PER_QUESTION:]
            elif self.box.is_team(item.sender) and item.refs and item.refs[-1] in missing:
                wanted.append(item.refs[-1])
        wanted = list(dict.fromkeys(wanted))[:REFERENCES_PER_FETCH]
        found: dict[str, Item] = {}
        session = self.box.session
        for folder in folders_to_search(session, self.box.folder, self.box.sent_folder):
            remaining = [w for w in wanted if w not in found]
            if not remaining:
                continue
            try:
                if session.folder is None or session.folder.name != folder:
                    session.open_folder(folder)
                uids = sorted({u for w in remaining for u in session.find_message_id(w)[:1]})
                for fetched in session.fetch(uids[:REFERENCES_PER_FETCH]) if uids else []:
                    earlier = self.item_of(fetched)
                    if earlier is not None and earlier.message_id in remaining:
                        earlier.folder = folder
                        found[earlier.message_id] = earlier
            except ConnectorError as exc:  # context is a nicety: the questions still come
                self.warn(f"earlier messages of threads not read from {folder}: {exc}")
        return found

    def _question(self, item: Item, context: list[Item], answered: bool) -> Question | None:
        mail, box = item.mail, self.box
        attachments = [{"name": a.name, "size": a.size} for a in mail.attachments]
        meta: dict[str, Any] = {
            "service": "email",
            "message_id": item.message_id or None,
            "references": item.refs,
            "to": addresses_of(mail.to),
            "cc": addresses_of(mail.cc),
            "reply_to": addresses_of(mail.reply_to),
            "attachments": attachments,
            "importance": mail.importance,
            "folder": box.folder,
            "uid": item.fetched.uid,
            "uidvalidity": self.uidvalidity,
        }
        if item.fetched.truncated or mail.truncated:
            meta["truncated"] = True
        if answered:
            meta["team_answered"] = True
        subject = mail.subject
        data = {
            "id": item.native,
            "thread_id": native_id(item.root, b"") if item.root.startswith("<") else item.root,
            "title": subject if isinstance(subject, str) and subject.strip() else None,
            "body": item.text,
            "created_at": to_iso(item.when),
            "author": item.author(),
            "context": [
                {"author": o.author(), "body": o.text, "created_at": to_iso(o.when)}
                for o in context
            ],
            "meta": meta,
        }
        try:
            return parse_question(data, channel=box.channel, kind=box.kind)
        except QuestionShapeError as exc:
            self.warn(f"message UID {item.fetched.uid} skipped: {exc}")
            return None


def _subject_key(item: Item) -> tuple[str, bool]:
    """The subject as a thread key, and whether it was a reply's (``Re: ...``)."""
    subject = (item.mail.subject or "").strip()
    key = thread_subject(subject).strip().lower() if subject else ""
    return key, bool(key) and key != subject.lower()
