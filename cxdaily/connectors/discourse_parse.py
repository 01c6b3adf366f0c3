"""Discourse's payloads as cxdaily's questions, as pure functions (no requests here).

A post (``latest_posts[]`` of ``GET /posts.json``, or ``post_stream.posts[]`` of a topic)
becomes a :class:`Post`; :func:`post_question` makes the question of a post, and
:func:`topic_outcome` decides which posts of a topic are open questions and which a
staff member (or our own account) already answered. Options, checkpoints and Discourse's
error bodies (422 reasons, the 429 ``extras.wait_seconds``) are read here too.
"""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

import msgspec

from cxdaily.connectors import ratelimit
from cxdaily.connectors.helpdesk import TicketMessage, message_text, optional_id, optional_text
from cxdaily.connectors.http_errors import error_body
from cxdaily.connectors.options import Option
from cxdaily.connectors.parsing import (
    MAX_CONTEXT_MESSAGES,
    QuestionShapeError,
    id_field,
    parse_time,
    text_field,
)
from cxdaily.core.errors import ConfigError
from cxdaily.core.models import Author, Question
from cxdaily.core.safe_json import is_digits
from cxdaily.core.safe_text import one_line
from cxdaily.settings import ChannelSettings

REGULAR_POST = 1
"""``post_type`` of an ordinary post (2 moderator action, 3 small action, 4 whisper)."""
MAX_DIGITS = 19
"""Post and topic ids are database integers: longer digit strings are refused."""
MAX_TITLE_CHARS = 1000
ID_WINDOW = 50
"""Post ids one page of ``/posts.json`` covers on older Discourse releases (``before=N``
reads the ids ``N-49..N``, keeping only the posts the key may see)."""
_USERNAME_BAD = re.compile(r"[\s/?#%\\@]")


# ----------------------------------------------------------------------------- options
def check_username(value: str) -> str | None:
    """What is wrong with the ``api_username`` option (``None``: nothing)."""
    if not value or len(value) > 60 or _USERNAME_BAD.search(value):
        return "must be a Discourse username such as support_bot (no @, spaces or slashes)"
    return None


class CategoryListOption(Option, frozen=True):
    """Category slugs or ids: a TOML list (numbers allowed), or text separated by commas."""

    def convert(self, raw: Any, channel: ChannelSettings) -> Any:
        """A tuple of lower-cased slugs and decimal ids, each once."""
        items = raw.split(",") if isinstance(raw, str) else raw
        if isinstance(items, int) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, list | tuple) or not all(
            isinstance(i, str) or (isinstance(i, int) and not isinstance(i, bool)) for i in items
        ):
            raise ConfigError(
                f"[channels.{channel.name}] {self.name} must be category slugs or ids, "
                'like ["support", 12]'
            )
        names = [str(i).strip().lower() for i in items if str(i).strip()]
        for name in names:
            if len(name) > 100 or any(c.isspace() or c in "/?#\\" for c in name):
                raise ConfigError(
                    f"[channels.{channel.name}] {self.name}: {name[:60]!r} is not a category "
                    "slug or id"
                )
        return tuple(dict.fromkeys(names))


def watched_ids(wanted: tuple[str, ...], data: Any) -> tuple[set[int], list[str]]:
    """The category ids to watch from ``GET /categories.json?include_subcategories=true``
    (each wanted category and its subcategories) and the wanted names not found."""
    found: dict[str, list[int]] = {}
    for category in _categories(data):
        ident = _number(category.get("id"))
        if ident is None:
            continue
        subs = [n for n in map(_number, _list(category.get("subcategory_ids"))) if n is not None]
        family = [ident, *subs]
        found.setdefault(str(ident), []).extend(family)
        slug = category.get("slug")
        if isinstance(slug, str) and slug:
            found.setdefault(slug.lower(), []).extend(family)
    ids: set[int] = set()
    missing: list[str] = []
    for name in wanted:
        if name in found:
            ids.update(found[name])
        elif is_digits(name) and len(name) <= MAX_DIGITS:
            ids.add(int(name))  # not listed (restricted, or a subcategory): taken as is
        else:
            missing.append(name)
    return ids, missing


def _categories(data: Any) -> list[dict[str, Any]]:
    """Every category of the list, subcategories included (two levels deep at most)."""
    listing = data.get("category_list") if isinstance(data, dict) else None
    top = _list(listing.get("categories")) if isinstance(listing, dict) else []
    out: list[dict[str, Any]] = []
    for category in top:
        if not isinstance(category, dict):
            continue
        out.append(category)
        for sub in _list(category.get("subcategory_list")):
            if isinstance(sub, dict):
                out.append(sub)
                out.extend(s for s in _list(sub.get("subcategory_list")) if isinstance(s, dict))
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> int | None:
    """A whole number of at most MAX_DIGITS digits (a JSON number or digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 10**MAX_DIGITS:
        return value
    if isinstance(value, str) and is_digits(value) and len(value) <= MAX_DIGITS:
        return int(value)
    return None


# ----------------------------------------------------------------------------- posts
class Post(msgspec.Struct, frozen=True):
    """One post of a topic, as cxdaily needs it."""

    id: int
    number: int
    """``post_number``: the position in its topic (1 = the topic's first post)."""
    topic_id: int
    topic_slug: str | None
    topic_title: str | None
    category_id: int | None
    author: Author
    username: str
    """The author's username, lower-cased (for comparisons)."""
    trust_level: int | None
    staff: bool
    """``staff``, ``moderator`` or ``admin`` is true."""
    body: str
    created_at: datetime
    reply_to: int | None
    post_type: int | None


def post_id_of(item: Any) -> int | None:
    """A post's id read leniently (for paging past an item that is otherwise bad)."""
    return _number(item.get("id")) if isinstance(item, dict) else None


def parse_post(data: Any, where: str, topic: dict[str, Any] | None = None) -> Post:
    """One post; ``topic`` (a topic's own fields) fills what a topic's posts leave out."""
    if not isinstance(data, dict):
        raise QuestionShapeError(f"{where} must be an object")
    topic = topic or {}
    ident = _required_number(data.get("id"), f"{where}.id")
    number = _required_number(data.get("post_number"), f"{where}.post_number")
    topic_id = _required_number(data.get("topic_id", topic.get("id")), f"{where}.topic_id")
    username = optional_text(data.get("username"), f"{where}.username", 100)
    if username is None:
        raise QuestionShapeError(f"{where}.username is missing")
    raw = data.get("raw")
    body = text_field(raw, f"{where}.raw", max_chars=None) if isinstance(raw, str) else None
    if not body or not body.strip():
        body = message_text(data.get("cooked"), f"{where}.cooked") or ""
    trust, post_type = data.get("trust_level"), data.get("post_type")
    return Post(
        id=ident,
        number=number,
        topic_id=topic_id,
        topic_slug=_slug(data.get("topic_slug", topic.get("slug"))),
        topic_title=optional_text(
            data.get("topic_title", topic.get("title")), f"{where}.topic_title", MAX_TITLE_CHARS
        ),
        category_id=_number(data.get("category_id", topic.get("category_id"))),
        author=Author(
            id=id_field(optional_id(data.get("user_id")), f"{where}.user_id"),
            handle=username,
            name=optional_text(data.get("name"), f"{where}.name"),
        ),
        username=username.lower(),
        trust_level=_small_int(trust) if _small_int(trust) in range(5) else None,
        staff=any(data.get(key) is True for key in ("staff", "moderator", "admin")),
        body=body[:200_000],
        created_at=parse_time(data.get("created_at"), f"{where}.created_at"),
        reply_to=_number(data.get("reply_to_post_number")),
        post_type=_small_int(post_type),
    )


def _small_int(value: Any) -> int | None:
    """A small whole number (a level or a type), or ``None``."""
    if isinstance(value, int) and not isinstance(value, bool) and -1000 < value < 1000:
        return value
    return None


def _required_number(value: Any, where: str) -> int:
    number = _number(value)
    if number is None:
        if value is None:
            raise QuestionShapeError(f"{where} is missing")
        raise QuestionShapeError(f"{where} must be a whole number")
    return number


def _slug(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        return None
    return text_field(value.strip(), "topic_slug")


def is_visible(data: Any) -> bool:
    """Whether a post is an ordinary, undeleted post (not a whisper or small action)."""
    if not isinstance(data, dict):
        return True  # parse_post says what is wrong with it
    post_type = _small_int(data.get("post_type"))
    if post_type is not None and post_type != REGULAR_POST:
        return False
    return not data.get("deleted_at") and data.get("user_deleted") is not True


def take(item: Any, down_to: int | None, cutoff: datetime | None) -> Post | str | None:
    """A post of ``/posts.json`` when it is new (above ``down_to``, from ``cutoff`` on) and
    visible; ``None`` when it is not; what is wrong with it (text) when it is bad."""
    ident = post_id_of(item)
    if ident is None:
        return ": id must be a whole number"
    if (down_to is not None and ident <= down_to) or not is_visible(item):
        return None
    try:
        post = parse_post(item, "post")
    except QuestionShapeError as exc:
        return f" ({ident}): {exc}"
    return post if cutoff is None or post.created_at >= cutoff else None


def older_than(items: list[Any], cutoff: datetime) -> bool:
    """Whether a page of posts reached one created before ``cutoff``."""
    for item in items:
        when = item.get("created_at") if isinstance(item, dict) else None
        with contextlib.suppress(QuestionShapeError):
            if when is not None and parse_time(when, "created_at") < cutoff:
                return True
    return False


def parse_into(have: dict[int, Post], items: list[Any], topic: dict[str, Any]) -> None:
    """Add a topic's posts to ``have`` (by id; bad, hidden and known ones left out)."""
    for item in items:
        if not is_visible(item):
            continue
        with contextlib.suppress(QuestionShapeError):
            post = parse_post(item, "post", topic)
            have.setdefault(post.id, post)


def post_url(base_url: str, post: Post) -> str:
    """``{base_url}/t/{topic_slug}/{topic_id}/{post_number}`` (``-`` without a slug)."""
    slug = quote(post.topic_slug, safe="") if post.topic_slug else "-"
    return f"{base_url}/t/{slug}/{post.topic_id}/{post.number}"


def thread_of(post: Post) -> str:
    """Where a reply to ``post`` goes: ``{topic_id}:{post_number}``."""
    return f"{post.topic_id}:{post.number}"


def split_thread(thread_id: str) -> tuple[int, int] | None:
    """``(topic_id, post_number)`` of a question's ``thread_id``; ``None`` if it is not one."""
    topic, _, number = thread_id.partition(":")
    topic_id, post_number = _number(topic), _number(number)
    if topic_id is None or post_number is None or post_number < 1:
        return None
    return topic_id, post_number


def as_message(post: Post, answerer: bool) -> TicketMessage:
    """A post as a message of its topic (``from_customer`` false for staff and us)."""
    return TicketMessage(
        id=str(post.id),
        author=post.author,
        body=post.body,
        created_at=post.created_at,
        from_customer=not answerer,
    )


def post_question(
    post: Post,
    *,
    channel: str,
    kind: str,
    base_url: str,
    context: list[Post],
    settled: bool,
) -> Question:
    """The question of one post; ``context`` the posts of its topic before it."""
    meta: dict[str, Any] = {
        "service": kind,
        "topic_id": post.topic_id,
        "post_number": post.number,
        "first_post": post.number == 1,
    }
    for key, value in (
        ("topic_slug", post.topic_slug),
        ("category_id", post.category_id),
        ("trust_level", post.trust_level),
        ("reply_to_post_number", post.reply_to),
    ):
        if value is not None:
            meta[key] = value
    if settled:
        meta["team_answered"] = True
    earlier = sorted((p for p in context if p.number < post.number), key=lambda p: p.number)
    return Question(
        id=Question.make_id(channel, str(post.id)),
        channel=channel,
        kind=kind,
        native_id=str(post.id),
        thread_id=thread_of(post),
        url=post_url(base_url, post),
        author=post.author,
        title=post.topic_title,
        body=post.body or (post.topic_title or ""),
        created_at=post.created_at,
        context=tuple(as_message(p, False).as_message() for p in earlier[-MAX_CONTEXT_MESSAGES:]),
        meta=meta,
    )


class Outcome(NamedTuple):
    """What a topic's posts ask: open questions and answered (settled) ones."""

    open: list[Post]
    settled: list[Post]


def topic_outcome(posts: list[Post], new_ids: set[int], is_answerer: Any) -> Outcome:
    """Which posts of one topic are questions now and which are settled.

    A non-answerer's post is a question unless an answerer's post follows it in the
    topic. Only posts of this fetch (``new_ids``) become questions; an older post is
    settled when an answerer's post follows it and none did before this fetch.
    """
    ordered = sorted({p.id: p for p in posts}.values(), key=lambda p: (p.number, p.id))
    answers = [p.number for p in ordered if is_answerer(p)]
    old_answers = [p.number for p in ordered if is_answerer(p) and p.id not in new_ids]
    last_old = max(old_answers, default=0)
    open_posts: list[Post] = []
    settled: list[Post] = []
    for post in ordered:
        if is_answerer(post):
            continue
        answered = any(n > post.number for n in answers)
        if post.id in new_ids:
            (settled if answered else open_posts).append(post)
        elif answered and post.number > last_old:
            settled.append(post)
    return Outcome(open_posts, settled)


# ----------------------------------------------------------------------------- topics
def topic_stream(data: Any) -> tuple[dict[str, Any], list[int], list[Any]]:
    """A topic's own fields, its post ids in order (``post_stream.stream``) and the
    posts it carries; a topic without ``post_stream`` raises QuestionShapeError."""
    stream = data.get("post_stream") if isinstance(data, dict) else None
    if not isinstance(stream, dict) or not isinstance(stream.get("posts"), list):
        raise QuestionShapeError("the topic has no post_stream.posts")
    ids = [n for n in map(_number, _list(stream.get("stream"))) if n is not None]
    fields = {k: data.get(k) for k in ("id", "slug", "title", "category_id")}
    return fields, ids, stream["posts"]


def window(stream: list[int], anchor: int, *, before: int, after: int) -> list[int]:
    """Ids of the stream around ``anchor``: up to ``before`` ids before it, it, and up to
    ``after`` ids after it (the latest ones); [] when ``anchor`` is not in the stream."""
    if anchor not in stream:
        return []
    at = stream.index(anchor)
    following = stream[at + 1 :]
    return stream[max(0, at - before) : at + 1] + following[max(0, len(following) - after) :]


def signed_in(data: Any) -> tuple[str, bool] | None:
    """The user of ``/session/current.json`` (one line) and whether they are staff."""
    user = data.get("current_user") if isinstance(data, dict) else None
    name = user.get("username") if isinstance(user, dict) else None
    if not isinstance(user, dict) or not isinstance(name, str) or not name.strip():
        return None
    return one_line(name, 60), any(user.get(k) is True for k in ("staff", "admin", "moderator"))


# ----------------------------------------------------------------------------- checkpoints
class Mark(NamedTuple):
    """A stored checkpoint: the newest post id read, and a range of ids still to read
    (``gap``: from below ``gap[0]`` down to above ``gap[1]``) when a fetch stopped early."""

    last: int | None
    gap: tuple[int, int] | None


def read_mark(checkpoint: Any) -> Mark:
    """A stored checkpoint (damaged parts ignored: a damaged one is a first fetch)."""
    if not isinstance(checkpoint, dict):
        return Mark(None, None)
    last = _number(checkpoint.get("last_post_id"))
    gap = checkpoint.get("gap")
    pair = [_number(g) for g in gap] if isinstance(gap, list) and len(gap) == 2 else []
    if last is None or len(pair) != 2 or None in pair or not pair[1] < pair[0] <= last:  # type: ignore[operator]
        return Mark(last, None)
    return Mark(last, (pair[0], pair[1]))  # type: ignore[arg-type]


def write_mark(mark: Mark) -> dict[str, Any]:
    """A checkpoint as stored (ids as text: JSON numbers lose digits in some readers)."""
    stored: dict[str, Any] = {"last_post_id": str(mark.last) if mark.last is not None else None}
    if mark.gap is not None:
        stored["gap"] = [str(mark.gap[0]), str(mark.gap[1])]
    return stored


# ----------------------------------------------------------------------------- errors
def refusal_reason(content: bytes) -> str:
    """Discourse's reason for refusing a post (``errors[0]``: "Body is too similar to
    what you recently posted"), as one line; "" when it gives none."""
    data = error_body(content)
    errors = data.get("errors") if data is not None else None
    first = errors[0] if isinstance(errors, list) and errors else None
    if isinstance(first, dict):
        first = first.get("message")
    return one_line(first, 200) if isinstance(first, str) and first.strip() else ""


def body_wait(content: bytes, now_epoch: float) -> float | None:
    """The wait a 429's body asks for (``extras.wait_seconds``, seconds), bounded as
    :mod:`~cxdaily.connectors.ratelimit` bounds header hints; ``None`` without one."""
    data = error_body(content)
    extras = data.get("extras") if data is not None else None
    value = extras.get("wait_seconds") if isinstance(extras, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, int) and abs(value) >= 10**20:
        return ratelimit.MAX_HINT_S
    return ratelimit.parse_wait(str(value), now_epoch)
