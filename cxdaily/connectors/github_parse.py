"""Reading GitHub issues, their comments and discussions into cxdaily's questions.

Pure functions over payloads shaped like GitHub's documented ones (REST issues and issue
comments; the GraphQL discussion nodes are read in :mod:`.github_graphql` into the same
:class:`Post` and :class:`Thread`).

Who asks and who answers: an issue or discussion opened by someone outside the
organisation (``author_association`` other than MEMBER, OWNER or COLLABORATOR, and not a
bot) asks. Its author's posts since the last answer by a member (or by our own account)
are one *turn*: the latest unanswered turn is the question (the opening post, or the
author's later comments), every answered turn is settled. Comments by other people and
bots are context, never an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import TicketMessage, optional_text
from cxdaily.connectors.markdown_text import markdown_text
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    id_field,
    parse_time,
    text_field,
    turn_question,
)
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import one_line

MEMBER_ASSOCIATIONS = frozenset({"MEMBER", "OWNER", "COLLABORATOR"})
"""``author_association`` values of the organisation's own people."""
REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}", re.ASCII)
"""``owner/name`` as GitHub allows them."""
MAX_LOGIN_CHARS = 100
MAX_LABELS = 50
_LATEST_NUMBER = 10**12


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a field GitHub may omit)."""
    return value if isinstance(value, dict) else {}


def check_repo(value: str) -> str | None:
    """What is wrong with one ``owner/name`` (``None``: nothing)."""
    if not REPO.fullmatch(value) or value.split("/")[1] in (".", ".."):
        return "is not a repository such as acme/widgets (owner/name)"
    return None


def thread_key(repo: str, number: int) -> str:
    """Where replies go: ``owner/name#number`` (issues and discussions share numbers)."""
    return f"{repo}#{number}"


def split_thread(thread_id: str) -> tuple[str, int] | None:
    """``(owner/name, number)`` of a thread id, or ``None`` when it is not one."""
    repo, _, number = thread_id.partition("#")
    if check_repo(repo) is not None or not number.isascii() or not number.isdigit():
        return None
    value = int(number[:12])
    return (repo, value) if 0 < value < _LATEST_NUMBER else None


def github_text(value: Any, where: str) -> str | None:
    """A GitHub Markdown body as clean plain text (HTML comments of issue templates left
    out, links as ``text (url)``); ``None`` when it is missing."""
    text = text_field(value, where, max_chars=None)
    if text is None:
        return None
    return markdown_text(_without_comments(text), where)


def _without_comments(text: str) -> str:
    """``text`` without ``<!-- ... -->`` (in one linear pass, whatever the input)."""
    parts: list[str] = []
    position = 0
    while True:
        start = text.find("<!--", position)
        end = text.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            parts.append(text[position:])
            return "".join(parts)
        parts.append(text[position:start])
        position = end + 3


def login_of(value: Any) -> str | None:
    """A login as one short clean line (``None`` when missing: a deleted account)."""
    text = optional_text(value, "login", MAX_LOGIN_CHARS)
    return one_line(text, MAX_LOGIN_CHARS) or None if text else None


def association_of(value: Any) -> str | None:
    """``author_association`` as GitHub spells it (upper case), or ``None``."""
    if not isinstance(value, str) or not value.strip():
        return None
    return one_line(value, 40).upper() or None


def number_of(value: Any, where: str) -> int:
    """An issue or discussion number (a positive whole number)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _LATEST_NUMBER:
        raise QuestionShapeError(f"{where} must be a positive whole number")
    return value


def count_of(value: Any) -> int | None:
    """A count GitHub gives (reactions, comments), or ``None`` when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _LATEST_NUMBER:
        return None
    return value


def web_link(value: Any) -> str | None:
    """An ``https://`` (or loopback ``http://``) page address, or ``None``."""
    if not isinstance(value, str):
        return None
    text = text_field(value.strip()[:4096], "url") or ""
    return text if text.lower().startswith(("https://", "http://")) else None


class Post(msgspec.Struct, frozen=True):
    """The opening post or one comment of an issue or discussion."""

    id: str
    """The comment's id (``""`` for the opening post)."""
    login: str | None
    user_id: str | None
    association: str | None
    bot: bool
    body: str
    created_at: datetime
    url: str | None

    def by_member(self, our_login: str | None) -> bool:
        """Written by the organisation (a member, owner or collaborator) or by us."""
        ours = bool(our_login and self.login and self.login.lower() == our_login.lower())
        return ours or self.association in MEMBER_ASSOCIATIONS

    def author(self) -> Author:
        """The post's author in cxdaily's model."""
        return Author(id=self.user_id or self.login, handle=self.login, name=None)

    def as_message(self) -> Message:
        """The post as a message of a question's context."""
        return Message(author=self.author(), body=self.body, created_at=self.created_at)

    def ticket_message(self, our_login: str | None) -> TicketMessage:
        """The post for helpdesk's collision guard and reply search (the team = members)."""
        return TicketMessage(
            id=self.id,
            author=Author(id=self.login, handle=self.login),
            body=self.body,
            created_at=self.created_at,
            from_customer=not self.by_member(our_login),
        )


class Thread(msgspec.Struct, frozen=True):
    """An issue or discussion with the comments read for it."""

    repo: str
    number: int
    kind: str
    """``issue`` or ``discussion``."""
    title: str | None
    opening: Post
    comments: Sequence[Post] = ()
    meta: dict[str, Any] = msgspec.field(default_factory=dict)
    answered: bool = False
    """The service marks it answered (a discussion's accepted answer)."""
    comment_count: int | None = None

    @property
    def thread_id(self) -> str:
        """``owner/name#number``."""
        return thread_key(self.repo, self.number)


def new_thread(
    kind: str,
    repo: str,
    number: int,
    opening: Post,
    title: Any,
    where: str,
    meta: dict[str, Any],
    *,
    comments: Sequence[Post] = (),
    answered: bool = False,
    comment_count: int | None = None,
) -> Thread:
    """A :class:`Thread` of ``kind`` read from the service: its ``title`` (found at
    ``where``) cleaned to one line, its ``meta`` what every thread keeps (service, type,
    repository, number, the opener's association) and ``meta``, absent values left out."""
    text = text_field(title, where)
    kept = {
        "service": "github",
        "type": kind,
        "repo": repo,
        "number": number,
        "author_association": opening.association,
        **meta,
    }
    return Thread(
        repo=repo,
        number=number,
        kind=kind,
        title=one_line(text, 1000) if text else None,
        opening=opening,
        comments=comments,
        meta={key: value for key, value in kept.items() if value is not None},
        answered=answered,
        comment_count=comment_count,
    )


def rest_post(data: Any, where: str, *, opening: bool = False) -> Post:
    """An issue (``opening``) or an issue comment of the REST API as a :class:`Post`."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    user = as_object(data.get("user"))
    return Post(
        id="" if opening else id_field(data.get("id"), f"{where}.id", required=True) or "",
        login=login_of(user.get("login")),
        user_id=id_field(user.get("id"), f"{where}.user.id") if _plain_id(user.get("id")) else None,
        association=association_of(data.get("author_association")),
        bot=user.get("type") == "Bot",
        body=github_text(data.get("body"), f"{where}.body") or "",
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
        url=web_link(data.get("html_url")),
    )


def _plain_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0) or (
        isinstance(value, str) and 0 < len(value) <= 100
    )


def parse_issue(data: Any, repo: str) -> tuple[Thread | None, datetime]:
    """An item of the issues list as a thread without comments (``None`` for a pull
    request), and when it was last updated."""
    if not isinstance(data, dict):
        raise QuestionShapeError("the issue must be an object")
    updated = parse_time(data.get("updated_at"), "updated_at")
    if "pull_request" in data:
        return None, updated
    number = number_of(data.get("number"), "number")
    opening = rest_post(data, f"issue {number}", opening=True)
    reactions = as_object(data.get("reactions"))
    labels = data.get("labels")
    labels = labels if isinstance(labels, list) else []
    names = [lab.get("name") if isinstance(lab, dict) else lab for lab in labels[:MAX_LABELS]]
    meta = {
        "reactions": count_of(reactions.get("total_count")),
        "labels": [one_line(n, 100) for n in names if isinstance(n, str) and n.strip()],
    }
    thread = new_thread("issue", repo, number, opening, data.get("title"), "title", meta,
                        comment_count=count_of(data.get("comments")))  # fmt: skip
    return thread, updated


def asks(thread: Thread, our_login: str | None) -> bool:
    """Whether the thread was opened by someone outside the organisation (not a bot)."""
    return not (thread.opening.bot or thread.opening.by_member(our_login))


def thread_questions(
    thread: Thread, *, our_login: str | None, channel: str, kind: str
) -> tuple[Question | None, list[Question]]:
    """The question a thread asks now (``None``: answered, or opened by the
    organisation) and its answered turns, settled (see the module's docstring)."""
    if not asks(thread, our_login):
        return None, []
    posts = [thread.opening, *sorted(thread.comments, key=lambda p: (p.created_at, p.id))]
    asker = (thread.opening.login or "").lower()
    turns: list[tuple[int, int, bool]] = []  # (first post, last post, answered)
    for index, post in enumerate(posts):
        if index == 0 or (asker and (post.login or "").lower() == asker):
            if turns and not turns[-1][2]:
                turns[-1] = (turns[-1][0], index, False)
            else:
                turns.append((index, index, False))
        elif post.by_member(our_login) and turns and not turns[-1][2]:
            turns[-1] = (turns[-1][0], turns[-1][1], True)
    settled: list[Question] = []
    question = None
    for first, last, answered in turns:
        turn = [p for p in posts[first : last + 1] if p is posts[first] or _same(p, posts[first])]
        done = answered or thread.answered
        made = _question(thread, turn, posts[:first], channel, kind, done)
        if done:
            settled.append(made)
        else:
            question = made
    return question, settled


def _same(post: Post, other: Post) -> bool:
    return bool(post.login and other.login and post.login.lower() == other.login.lower())


def _question(
    thread: Thread,
    turn: Sequence[Post],
    before: Sequence[Post],
    channel: str,
    kind: str,
    settled: bool,
) -> Question:
    first = turn[0]
    native = thread.thread_id if first is thread.opening else f"{thread.thread_id}:{first.id}"
    meta = {**thread.meta, **({"team_answered": True} if settled else {})}
    return turn_question(
        channel=channel, kind=kind, native_id=native, thread_id=thread.thread_id,
        url=turn[-1].url or thread.opening.url, author=thread.opening.author(),
        title=thread.title, turn=turn, before=before, meta=meta,
    )  # fmt: skip


def iso(moment: datetime) -> str:
    """A time as GitHub's ``since`` takes it: ``2026-12-04T08:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_marks(checkpoint: Any, part: str) -> dict[str, datetime]:
    """The times a stored checkpoint keeps per repository for ``part`` (``issues`` or
    ``discussions``); damaged entries are left out."""
    stored = checkpoint.get(part) if isinstance(checkpoint, dict) else None
    marks: dict[str, datetime] = {}
    if not isinstance(stored, dict):
        return marks
    for repo, value in list(stored.items())[:1000]:
        if isinstance(repo, str) and check_repo(repo) is None and isinstance(value, str):
            try:
                marks[repo] = parse_time(value, "since")
            except QuestionShapeError:
                continue
    return marks
