"""Reddit's payloads as cxdaily's shapes: pure functions, no requests.

- Bodies are Markdown, read with :func:`~cxdaily.connectors.markdown_text.markdown_text`.
- :func:`listing`: the children and ``after`` cursor of a ``Listing``.
- :func:`read_thing`: one child (``t1`` comment, ``t3`` post, ``t4`` message) as a
  :class:`Thing`; :func:`thing_question` makes it a question.
- :func:`comment_chain`: a comment's ancestors in the tree ``/comments/{article}`` returns
  (with ``comment=`` and ``context=``), and the replies under it.
- :func:`reply_errors`: the ``json.errors`` of ``POST /api/comment``.
- :func:`next_mark`: a listing's checkpoint after a walk; one stopped by a cap keeps its
  mark and holds where the next fetch goes on (:func:`read_resume`).

Every field the documentation calls optional may be missing or null; a field of the
wrong type counts as missing, except the few an item cannot do without (its id and its
time), which make the item a :class:`QuestionShapeError` (skipped with a warning).
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec

from cxdaily.connectors.helpdesk import TicketMessage, optional_text, text_or_none
from cxdaily.connectors.markdown_text import markdown_text
from cxdaily.connectors.options import Option
from cxdaily.connectors.parsing import (
    QuestionShapeError,
    parse_time,
    text_field,
)
from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Author, Message, Question
from cxdaily.core.safe_text import clean
from cxdaily.settings import ChannelSettings

KINDS = ("t1", "t3", "t4")
"""Things that can be questions: a comment, a post, a private message."""
MAX_TREE_NODES = 5000
"""Comments looked at in one thread answer (a hostile tree costs no more)."""
NAME = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
"""A Reddit account name."""
SUBREDDIT = re.compile(r"[A-Za-z0-9_]{1,50}", re.ASCII)
_FULLNAME = re.compile(r"t[1-6]_[a-z0-9]{1,20}", re.ASCII)
_ARTICLE = re.compile(r"/comments/([a-z0-9]{1,20})(?:/|$)", re.ASCII | re.IGNORECASE)


# -- things -------------------------------------------------------------------------------
class Thing(msgspec.Struct, frozen=True):
    """One comment, post or message as listed."""

    kind: str
    """``t1``, ``t3`` or ``t4``."""
    name: str
    """Its fullname (``t1_abc``): what a reply is posted to."""
    created: float
    """``created_utc``: epoch seconds."""
    author: str | None
    data: dict[str, Any]


def listing(data: Any) -> tuple[list[Any], str | None] | None:
    """A ``Listing``'s children and its ``after`` cursor; ``None`` when it is not one."""
    inner = data.get("data") if isinstance(data, dict) else None
    children = inner.get("children") if isinstance(inner, dict) else None
    if not isinstance(children, list):
        return None
    after = inner.get("after") if isinstance(inner, dict) else None
    ok = isinstance(after, str) and _FULLNAME.fullmatch(after)
    return children, after if ok else None


def fullname(kind: str, data: dict[str, Any]) -> str:
    """The thing's fullname: ``name``, else the kind and ``id``."""
    name = data.get("name")
    if isinstance(name, str) and _FULLNAME.fullmatch(name) and name.startswith(kind + "_"):
        return name
    ident = data.get("id")
    if isinstance(ident, str) and _FULLNAME.fullmatch(f"{kind}_{ident}"):
        return f"{kind}_{ident}"
    raise QuestionShapeError("the item has no usable id (name, id)")


def read_thing(child: Any) -> Thing | None:
    """One listing child as a :class:`Thing`; ``None`` for a kind that is never a question
    (an account, a subreddit, a "more comments" stub)."""
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        raise QuestionShapeError("the item is not an object with data")
    kind, data = child.get("kind"), child["data"]
    if kind not in KINDS:
        return None
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise QuestionShapeError("created_utc is missing or not a number")
    if not math.isfinite(created):
        raise QuestionShapeError("created_utc is not a finite number")
    parse_time(created, "created_utc")  # in range
    author = data.get("author")
    return Thing(kind, fullname(kind, data), float(created), text_or_none(author), data)


def is_by(thing_author: str | None, username: str) -> bool:
    """Whether an author name is ``username`` (Reddit names ignore case)."""
    return thing_author is not None and thing_author.lower() == username.lower()


def author_of(name: str | None, followers: int | None = None) -> Author:
    """A Reddit account as an author: ``u/name`` as id and handle."""
    shown = optional_text(name, "author", 100) if name else None
    if not shown:
        return Author(followers=followers)
    handle = "u/" + clean(shown)
    return Author(id=handle, handle=handle, followers=followers)


def article_of(thing: Thing) -> str | None:
    """The id of the post a comment belongs to (``link_id``, else its link's path)."""
    link = thing.data.get("link_id")
    if isinstance(link, str) and link.startswith("t3_") and _FULLNAME.fullmatch(link):
        return link[3:]
    for key in ("permalink", "context"):
        found = _ARTICLE.search(text_or_none(thing.data.get(key)) or "")
        if found:
            return found[1].lower()
    return None


def web_link(thing: Thing, web_url: str) -> str | None:
    """The public page of a thing: its permalink (an inbox comment's ``context`` path
    without its query), or a private message's page in the inbox."""
    if thing.kind == "t4":
        return f"{web_url}/message/messages/{thing.name[3:]}"
    path = text_or_none(thing.data.get("permalink")) or text_or_none(thing.data.get("context"))
    if not path or not path.startswith("/") or path.startswith("//") or len(path) > 2000:
        return None
    return web_url + path.split("?")[0]


def _body(thing: Thing) -> str:
    if thing.kind == "t3":
        text = markdown_text(thing.data.get("selftext"), "selftext") or ""
        link = text_or_none(thing.data.get("url"))
        if not text and link and link.startswith(("https://", "http://")):
            text = clean(link[:2000])  # a link post: the link is what it says
        return text
    return markdown_text(thing.data.get("body"), "body") or ""


def _title(thing: Thing) -> str | None:
    key = {"t3": "title", "t1": "link_title", "t4": "subject"}[thing.kind]
    title = text_field(text_or_none(thing.data.get(key)), key)
    return clean(title).strip() or None if title else None


def _meta(thing: Thing) -> dict[str, Any]:
    kinds = {"t3": "post", "t4": "private_message"}
    inbox_type = text_or_none(thing.data.get("type"))
    meta: dict[str, Any] = {"service": "reddit", "type": kinds.get(thing.kind, "comment")}
    if thing.kind == "t1" and inbox_type and inbox_type.isidentifier() and len(inbox_type) < 40:
        meta["type"] = inbox_type  # comment_reply, post_reply, username_mention
    subreddit = text_or_none(thing.data.get("subreddit"))
    if subreddit and len(subreddit) <= 50:
        meta["subreddit"] = clean(subreddit)
    for key in ("score", "num_comments"):
        value = thing.data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**12:
            meta[key] = value
    return meta


def thing_question(
    thing: Thing,
    *,
    channel: str,
    web_url: str,
    followers: int | None = None,
    context: tuple[Message, ...] = (),
    answered: bool = False,
) -> Question:
    """A comment, post or message as a question: replies go to its fullname."""
    body = _body(thing)
    title = _title(thing)
    meta = _meta(thing)
    if answered:
        meta["team_answered"] = True
    return Question(
        id=Question.make_id(channel, thing.name),
        channel=channel,
        kind="reddit",
        native_id=thing.name,
        thread_id=thing.name,
        url=web_link(thing, web_url),
        author=author_of(thing.author, followers),
        title=title,
        body=body or title or "",
        created_at=parse_time(thing.created, "created_utc"),
        context=context,
        meta=meta,
    )


def as_message(thing: Thing) -> Message:
    """A thing as an earlier message of a question's context (a post: title and text)."""
    body = _body(thing)
    if thing.kind == "t3":
        body = "\n\n".join(part for part in (_title(thing), body) if part)
    created = parse_time(thing.created, "created_utc")
    return Message(author=author_of(thing.author), body=body, created_at=created)


def own_message(thing: Thing) -> TicketMessage:
    """One of our own comments or sent messages, for the collision guard and the search
    for a reply after an unknown outcome."""
    return TicketMessage(
        id=thing.name,
        author=author_of(thing.author),
        body=markdown_text(thing.data.get("body"), "body") or "",
        created_at=parse_time(thing.created, "created_utc"),
        from_customer=False,
    )


def parent_of(thing: Thing) -> str | None:
    """The fullname a comment or message answers (``parent_id``)."""
    parent = thing.data.get("parent_id")
    return parent if isinstance(parent, str) and _FULLNAME.fullmatch(parent) else None


# -- threads --------------------------------------------------------------------------
def _children(value: Any) -> list[Any]:
    found = listing(value)
    return found[0] if found is not None else []


def comment_chain(tree: Any, target: str) -> tuple[list[Thing], list[Thing]] | None:
    """In ``GET /comments/{article}``'s answer (the post's listing, then the comments'),
    the post and the comments above ``target`` (a fullname), oldest first, and the
    direct replies to ``target``; ``None`` when ``target`` is not in the tree."""
    if not isinstance(tree, list) or len(tree) < 2:
        raise QuestionShapeError("the thread is not a pair of listings")
    posts = [t for t in (_quiet(c) for c in _children(tree[0])) if t is not None]
    stack: list[tuple[Any, tuple[Thing, ...]]] = [(c, ()) for c in reversed(_children(tree[1]))]
    budget = MAX_TREE_NODES
    while stack and budget > 0:
        budget -= 1
        child, above = stack.pop()
        thing = _quiet(child)
        if thing is None or thing.kind != "t1":
            continue
        replies = _children(thing.data.get("replies"))
        if thing.name == target:
            below = [t for t in (_quiet(r) for r in replies) if t is not None]
            return [*posts[:1], *above], below
        stack.extend((reply, (*above, thing)) for reply in reversed(replies))
    return None


def _quiet(child: Any) -> Thing | None:
    try:
        return read_thing(child)
    except QuestionShapeError:
        return None


def message_replies(thing: Thing) -> list[Thing]:
    """The replies an inbox message carries (``replies``: a listing, or an empty string)."""
    return [t for t in (_quiet(c) for c in _children(thing.data.get("replies"))) if t]


# -- replies --------------------------------------------------------------------------
def reply_errors(data: Any) -> list[tuple[str, str]]:
    """``json.errors`` of an answer: ``(code, message)`` pairs (``[]``: none)."""
    outer = data.get("json") if isinstance(data, dict) else None
    errors = outer.get("errors") if isinstance(outer, dict) else None
    if not isinstance(errors, list):
        return []
    found = []
    for error in errors[:10]:
        parts = [p if isinstance(p, str) else "" for p in error] if isinstance(error, list) else []
        if parts:
            found.append((parts[0][:60], parts[1][:300] if len(parts) > 1 else ""))
    return found


def posted_thing(data: Any) -> dict[str, Any] | None:
    """``json.data.things[0].data`` of an answer (the comment or message we posted)."""
    outer = data.get("json") if isinstance(data, dict) else None
    inner = outer.get("data") if isinstance(outer, dict) else None
    things = inner.get("things") if isinstance(inner, dict) else None
    first = things[0] if isinstance(things, list) and things else None
    posted = first.get("data") if isinstance(first, dict) else None
    return posted if isinstance(posted, dict) else None


_WAIT = re.compile(r"(\d{1,6})\s*(second|minute|hour)", re.IGNORECASE)


def ratelimit_wait(message: str) -> float:
    """Seconds from "you are doing that too much. try again in 9 minutes." (60 when the
    message names no wait)."""
    found = _WAIT.search(message)
    if not found:
        return 60.0
    unit = {"second": 1, "minute": 60, "hour": 3600}[found[2].lower()]
    return float(min(int(found[1]) * unit, 24 * 3600))


def is_fullname(value: str) -> bool:
    """Whether ``value`` is a comment, post or message fullname (``t1_abc``)."""
    return bool(_FULLNAME.fullmatch(value)) and value[:2] in KINDS


def karma(data: Any) -> int | None:
    """``link_karma + comment_karma`` of ``GET /user/{name}/about`` (``None``: not given)."""
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return None
    parts = [inner.get("link_karma"), inner.get("comment_karma")]
    numbers = [p for p in parts if isinstance(p, int) and not isinstance(p, bool)]
    if not numbers or any(abs(n) > 10**11 for n in numbers):
        return None
    return max(sum(numbers), 0)


# -- options and checkpoints --------------------------------------------------------
def check_username(value: str) -> str | None:
    """What is wrong with the ``username`` option (``None``: nothing)."""
    if not NAME.fullmatch(value):
        return "must be a Reddit account name such as acme_support (without u/)"
    return None


class SubredditListOption(Option, frozen=True):
    """Subreddit names: a TOML list, or text separated by commas (``r/`` prefixes allowed)."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of lower-cased subreddit names, each once."""
        items = self.text_list(raw, channel, 'subreddit names, like ["acme"]')
        names = [i.strip().removeprefix("/").removeprefix("r/") for i in items if i.strip()]
        for name in names:
            if not SUBREDDIT.fullmatch(name):
                raise ConfigError(
                    f"[channels.{channel.name}] {self.name}: {name[:60]!r} is not a subreddit name"
                )
        return tuple(dict.fromkeys(n.lower() for n in names))


def read_mark(mark: Any, start: float, max_seen: int) -> tuple[float, set[str]]:
    """A listing's stored mark (``since``, ``seen``), or the first fetch's start."""
    since = _mark_time(mark.get("since")) if isinstance(mark, dict) else None
    if since is None:
        return start, set()
    return since, set(_mark_names(mark.get("seen"), max_seen))


def _mark_time(value: Any) -> float | None:
    """A ``created_utc`` a mark stored (epoch seconds), or ``None`` when it is unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 3.2e10:
        return None
    return float(value)


def _mark_names(value: Any, max_seen: int) -> list[str]:
    """The fullnames a mark stored (the first ``max_seen``; anything else left out)."""
    names = value if isinstance(value, list) else []
    return [n for n in names if isinstance(n, str) and len(n) < 40][:max_seen]


class Resume(msgspec.Struct, frozen=True):
    """Where a walk down one listing, stopped by its page cap or the fetch's byte budget,
    goes on at the next fetch: the ``after`` cursor of the page after the last one read,
    and the newest ``created_utc`` read before it with the fullnames seen near it, which
    become the listing's mark once the walk is done."""

    after: str
    newest: float | None
    newest_seen: tuple[str, ...]


def read_resume(mark: Any, max_seen: int) -> Resume | None:
    """The :class:`Resume` a listing's stored mark holds (``after``, ``newest``,
    ``newest_seen``); ``None`` when it holds none, as a mark stored before walks could
    resume does not."""
    after = mark.get("after") if isinstance(mark, dict) else None
    if not isinstance(after, str) or not _FULLNAME.fullmatch(after):
        return None
    assert isinstance(mark, dict)
    newest = _mark_time(mark.get("newest"))
    names = _mark_names(mark.get("newest_seen"), max_seen) if newest is not None else []
    return Resume(after=after, newest=newest, newest_seen=tuple(names))


def next_mark(
    since: float,
    seen: set[str],
    recent: list[tuple[str, float]],
    *,
    resume: Resume | None,
    after: str | None,
    overlap: float,
    max_seen: int,
) -> dict[str, Any]:
    """A listing's mark after a walk that started from the mark ``since``/``seen`` (and
    ``resume``, when it went on from an earlier walk) and listed ``recent`` (fullname and
    ``created_utc`` of every item near or after the mark). A walk done moves the mark to
    the newest item read, with the fullnames seen in the ``overlap`` before it; a walk
    stopped with a next page (``after``) keeps the mark where it was and holds the next
    page and that newest item for the next fetch (a :class:`Resume`)."""
    known = [resume.newest] if resume is not None and resume.newest is not None else []
    newest = max([since, *known, *(created for _, created in recent)])
    kept = [name for name, created in recent if created > newest - overlap]
    if known and known[0] > newest - overlap:
        assert resume is not None
        kept = [*resume.newest_seen, *kept]
    kept = list(dict.fromkeys(kept))[:max_seen]
    if after is None:
        return {"since": newest, "seen": kept}
    return {"since": since, "seen": sorted(seen)[:max_seen], "after": after,
            "newest": newest, "newest_seen": kept}  # fmt: skip


def after_cursor(data: Any) -> str | None:
    """The ``after`` cursor of a listing page (``None``: the last page)."""
    found = listing(data)
    return found[1] if found is not None else None
