"""GitHub Discussions through the GraphQL API: the queries the ``github`` channel sends,
their answers read into :class:`~cxdaily.connectors.github_parse.Thread`, and GraphQL's
errors (an answer of HTTP 200 that carries ``errors``) as one-line connector errors.

- :data:`DISCUSSIONS_QUERY`: a repository's discussions, most recently updated first,
  50 a page (``pageInfo`` cursors), each with its last 20 comments and their last 10
  replies;
- :data:`DISCUSSION_QUERY`: one discussion (by number) with its last 50 comments (and
  their last 10 replies), read again for the collision guard and for our own reply
  after an unknown outcome;
- :data:`ADD_COMMENT`: ``addDiscussionComment`` (the reply), answering the comment's id
  and url.

A walk down a repository's discussions that its page cap cut short goes on at the next
fetch from where it stopped: a :class:`DiscussionWalk` in the checkpoint (see
:func:`read_walks`).

A discussion's ``comments`` are only its top-level comments: an answer written with
"Reply" in a comment's thread (or a follow-up question there) is a node of that
comment's ``replies``. Both are read, and the replies are posts of the thread like the
comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from cxdaily.connectors import ratelimit
from cxdaily.connectors.github_parse import (
    Post,
    Thread,
    as_object,
    association_of,
    check_repo,
    github_text,
    iso,
    login_of,
    new_thread,
    number_of,
    web_link,
)
from cxdaily.connectors.google_api import read_checkpoint
from cxdaily.connectors.http_errors import BadResponseError, StatusError
from cxdaily.connectors.parsing import QuestionShapeError, id_field, parse_time, text_field
from cxdaily.core.errors import AuthError, ConnectorError, RateLimited
from cxdaily.core.safe_text import one_line

_POST_FIELDS = "id body author{login __typename} authorAssociation createdAt url"
_COMMENT_FIELDS = f"{_POST_FIELDS} replies(last:10){{nodes{{{_POST_FIELDS}}}}}"

DISCUSSIONS_QUERY = (
    "query($owner:String!,$name:String!,$cursor:String){"
    "repository(owner:$owner,name:$name){"
    "discussions(first:50,after:$cursor,orderBy:{field:UPDATED_AT,direction:DESC}){"
    "pageInfo{hasNextPage endCursor} "
    "nodes{id number title body url createdAt updatedAt author{login __typename} "
    "authorAssociation "
    "category{name isAnswerable} isAnswered "
    f"comments(last:20){{nodes{{{_COMMENT_FIELDS}}}}}}}}}}}}}"
)
DISCUSSION_QUERY = (
    "query($owner:String!,$name:String!,$number:Int!){"
    "repository(owner:$owner,name:$name){discussion(number:$number){"
    f"id comments(last:50){{nodes{{{_COMMENT_FIELDS}}}}}}}}}}}"
)
ADD_COMMENT = (
    "mutation($id:ID!,$body:String!){"
    "addDiscussionComment(input:{discussionId:$id,body:$body}){comment{id url}}}"
)
VIEWER_QUERY = "query{viewer{login}}"
_AUTH_TYPES = frozenset({"FORBIDDEN", "INSUFFICIENT_SCOPES", "UNAUTHORIZED"})
_PASSING_WORDS = ("something went wrong", "timeout", "timed out")
"""Words of GitHub's GraphQL errors about a failure on its side, which may pass."""
DEFAULT_THROTTLE_S = 60.0
"""The wait when GraphQL says RATE_LIMITED without a reset header (GitHub asks for at
least a minute on secondary limits)."""
WALKS_KEY = "discussion_walks"
"""Where a checkpoint keeps, per repository, the discussion walk the next fetch goes on
with (:class:`DiscussionWalk`)."""


class CursorRefused(BadResponseError):
    """GitHub refused a page's cursor (INVALID_CURSOR_ARGUMENTS): one kept from an earlier
    fetch may have expired; the walk starts again."""


class DiscussionWalk(msgspec.Struct, frozen=True):
    """A walk down a repository's discussions (newest first) that a fetch's page cap cut
    short: the next fetch reads the discussions updated since ``newest``, then goes on
    from ``cursor`` down to the checkpoint's time, which stays until it gets there."""

    cursor: str
    """The ``endCursor`` of the last page read: the next page is the first one unread."""
    newest: datetime
    """The latest update the walk read."""

    def mark(self) -> dict[str, str]:
        """The walk as a checkpoint keeps it (the keys :func:`read_checkpoint` reads)."""
        return {"page_token": self.cursor, "newest": iso(self.newest)}


def read_walks(checkpoint: Any) -> dict[str, DiscussionWalk]:
    """The discussion walks a stored checkpoint keeps per repository (none in one written
    before walks were kept); damaged entries are left out."""
    stored = checkpoint.get(WALKS_KEY) if isinstance(checkpoint, dict) else None
    walks: dict[str, DiscussionWalk] = {}
    for repo, entry in list(stored.items())[:1000] if isinstance(stored, dict) else []:
        _, newest, cursor = read_checkpoint(entry)
        if isinstance(repo, str) and check_repo(repo) is None and newest and cursor:
            walks[repo] = DiscussionWalk(cursor, newest)
    return walks


def default_graphql_url(base_url: str) -> str:
    """GraphQL beside the REST base: ``https://HOST/api/graphql`` for GitHub Enterprise
    Server's ``https://HOST/api/v3``, else ``{base_url}/graphql``."""
    base = base_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


def graphql_data(
    payload: Any,
    *,
    where: str,
    headers: Mapping[str, str],
    now_epoch: float,
    channel: str,
    partial: list[ConnectorError] | None = None,
) -> dict[str, Any]:
    """The ``data`` of a GraphQL answer; its gravest error (if any; a limit, then a
    refused token, else the first) as a one-line error:
    :class:`RateLimited` (RATE_LIMITED, waiting for ``x-ratelimit-reset``),
    :class:`AuthError` (FORBIDDEN, INSUFFICIENT_SCOPES), a 404 :class:`StatusError`
    (NOT_FOUND), else :class:`BadResponseError`.

    With ``partial``, an answer whose errors are each about one item inside the listing
    (a path deeper than the repository's connection: a discussion or comment that could
    not be resolved, now ``null`` in ``data``) keeps its data: the errors go to
    ``partial``, one error each (see :func:`_item_error`), and the item is skipped where
    it is read. A limit or a refused token is never partial."""
    if not isinstance(payload, dict):
        raise BadResponseError(f"{where} answered, but not with a GraphQL result", channel=channel)
    errors = payload.get("errors")
    data = payload.get("data")
    if isinstance(errors, list) and errors:
        found = [_error_of(error) for error in errors]
        if partial is None or not isinstance(data, dict) or not all(map(_about_one_item, found)):
            kind, text, _ = min(found, key=_gravity)  # a limit first, then a refusal
            raise _graphql_error(kind, text, where, headers, now_epoch, channel)
        partial.extend(_item_error(kind, text, path, where, channel) for kind, text, path in found)
    if not isinstance(data, dict):
        raise BadResponseError(f"{where} answered, but with no GraphQL data", channel=channel)
    return data


def _error_of(error: Any) -> tuple[str, str, str]:
    """A GraphQL error's type (upper case, ``""`` when none), message (one line) and path
    (``repository.discussions.nodes.3``, ``""`` when none)."""
    error = error if isinstance(error, dict) else {}
    kind = error.get("type")
    said = error.get("message")
    path = error.get("path")
    steps = (
        [str(step) for step in path if isinstance(step, str | int)]
        if isinstance(path, list)
        else []
    )
    return (
        kind.upper() if isinstance(kind, str) else "",
        one_line(said, 200) if isinstance(said, str) and said.strip() else "no message",
        one_line(".".join(steps), 120),
    )


def _gravity(error: tuple[str, str, str]) -> int:
    """How an error ranks among those of one answer: a limit first (the fetch waits and
    keeps its checkpoint), then a refused token, then any other."""
    kind = error[0]
    return 0 if kind == "RATE_LIMITED" else 1 if kind in _AUTH_TYPES else 2


def _about_one_item(error: tuple[str, str, str]) -> bool:
    """Whether a GraphQL error is about one item of a listing (its path goes past the
    repository's connection), and neither a limit nor a refused token: a FORBIDDEN
    there is about that item only (one the token may not see), the token's scopes and
    sign-in are not."""
    kind, _, path = error
    if kind == "RATE_LIMITED" or (kind in _AUTH_TYPES and kind != "FORBIDDEN"):
        return False
    return path.count(".") >= 3  # repository.discussions.nodes.N[...]


def _item_error(kind: str, text: str, path: str, where: str, channel: str) -> ConnectorError:
    """The error about one item of a listing, said ``{where}: {text} at {path} (skipped)``:
    a :class:`StatusError` of 502 when GitHub says it failed on its side ("Something went
    wrong while executing your query", a timeout: what it answers with HTTP 502 when a
    whole query fails so), which may pass
    (:func:`~cxdaily.connectors.http_errors.may_pass`); else a 404 or 403
    :class:`StatusError` (NOT_FOUND, FORBIDDEN) or a :class:`BadResponseError` (any
    other, or an error that does not say why), which would come again."""
    line = f"{where}: {text} at {path} (skipped)"
    if kind in ("NOT_FOUND", "FORBIDDEN"):
        return StatusError(line, status=404 if kind == "NOT_FOUND" else 403, channel=channel)
    if any(words in text.lower() for words in _PASSING_WORDS):
        return StatusError(line, status=502, channel=channel)
    return BadResponseError(line, channel=channel)


def _graphql_error(
    kind: str,
    text: str,
    where: str,
    headers: Mapping[str, str],
    now_epoch: float,
    channel: str,
) -> ConnectorError:
    if kind == "RATE_LIMITED":
        wait = ratelimit.retry_delay(headers, now_epoch)
        wait = DEFAULT_THROTTLE_S if wait is None else wait
        return RateLimited(
            f"rate-limited by {where} (GraphQL RATE_LIMITED); the service asks to wait "
            f"{wait:.0f} s",
            retry_after=wait,
            channel=channel,
        )
    if kind in _AUTH_TYPES:
        return AuthError(
            f"{where} refused: {text} (check the token's access to discussions)",
            channel=channel,
        )
    if kind == "NOT_FOUND":
        return StatusError(f"{where}: not found ({text})", status=404, channel=channel)
    if kind == "INVALID_CURSOR_ARGUMENTS":
        return CursorRefused(f"{where}: the cursor was refused ({text})", channel=channel)
    return BadResponseError(f"{where}: GraphQL error {kind or 'unknown'}: {text}", channel=channel)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise QuestionShapeError(f"{where} must be an object")
    return value


def graphql_post(data: Any, where: str, *, opening: bool = False) -> Post:
    """A discussion (``opening``) or one of its comments as a :class:`Post` (an author
    whose ``__typename`` is ``Bot`` is a GitHub App, never a customer)."""
    node = _object(data, where)
    author = as_object(node.get("author"))
    return Post(
        id="" if opening else id_field(node.get("id"), f"{where}.id", required=True) or "",
        login=login_of(author.get("login")),
        user_id=None,
        association=association_of(node.get("authorAssociation")),
        bot=author.get("__typename") == "Bot",
        body=github_text(node.get("body"), f"{where}.body") or "",
        created_at=parse_time(node.get("createdAt"), f"{where}.createdAt"),
        url=web_link(node.get("url")),
    )


def comment_posts(
    discussion: dict[str, Any], where: str, skipped: list[str] | None = None
) -> list[Post]:
    """The comments a discussion node carries, each followed by the replies in its
    thread (a bad one skipped, said in ``skipped``)."""
    posts: list[Post] = []
    for number, node in enumerate(_nodes(discussion, "comments"), 1):
        comment = f"{where}, comment {number}"
        try:
            posts.append(graphql_post(node, comment))
        except QuestionShapeError as exc:
            if skipped is not None:
                skipped.append(str(exc))
            continue
        for index, reply in enumerate(_nodes(node, "replies"), 1):
            try:
                posts.append(graphql_post(reply, f"{comment}, reply {index}"))
            except QuestionShapeError as exc:
                if skipped is not None:
                    skipped.append(str(exc))
    return posts


def _nodes(holder: Any, connection: str) -> list[Any]:
    """The ``nodes`` of ``holder``'s ``connection`` (``[]`` when it has none)."""
    listing = holder.get(connection) if isinstance(holder, dict) else None
    nodes = listing.get("nodes") if isinstance(listing, dict) else None
    return nodes if isinstance(nodes, list) else []


def parse_discussion(
    data: Any, repo: str, skipped: list[str] | None = None
) -> tuple[Thread, datetime]:
    """A discussion node as a thread (its comments included) and when it was updated."""
    node = _object(data, "discussion")
    number = number_of(node.get("number"), "number")
    where = f"discussion {number}"
    updated = parse_time(node.get("updatedAt"), f"{where}.updatedAt")
    ident = id_field(node.get("id"), f"{where}.id", required=True)
    opening = graphql_post(node, where, opening=True)
    category = as_object(node.get("category"))
    name = text_field(category.get("name"), f"{where}.category.name")
    answerable = category.get("isAnswerable")
    answered = node.get("isAnswered") is True
    meta = {
        "discussion_id": ident,
        "category": one_line(name, 100) if name else None,
        "answerable": answerable if isinstance(answerable, bool) else None,
        "answered": answered,
    }
    comments = tuple(comment_posts(node, where, skipped))
    thread = new_thread("discussion", repo, number, opening, node.get("title"), f"{where}.title",
                        meta, comments=comments, answered=answered)  # fmt: skip
    return thread, updated


def discussions_page(
    data: dict[str, Any], where: str, channel: str
) -> tuple[list[Any], str | None]:
    """The discussion nodes of a page and the cursor of the next (``None``: the last)."""
    repository = data.get("repository")
    if repository is None:
        raise StatusError(f"{where}: the repository is not found", status=404, channel=channel)
    listing = repository.get("discussions") if isinstance(repository, dict) else None
    nodes = listing.get("nodes") if isinstance(listing, dict) else None
    if not isinstance(nodes, list):
        raise BadResponseError(
            f"{where} answered, but not with a page of discussions", channel=channel
        )
    info = listing.get("pageInfo") if isinstance(listing, dict) else None
    cursor = info.get("endCursor") if isinstance(info, dict) else None
    more = isinstance(info, dict) and info.get("hasNextPage") is True
    return nodes, cursor if more and isinstance(cursor, str) and cursor.strip() else None


def one_discussion(data: dict[str, Any], where: str, channel: str) -> dict[str, Any]:
    """The discussion of :data:`DISCUSSION_QUERY`'s answer."""
    repository = data.get("repository")
    discussion = repository.get("discussion") if isinstance(repository, dict) else None
    if not isinstance(discussion, dict):
        raise StatusError(f"{where}: the discussion is not found", status=404, channel=channel)
    return discussion


def added_comment(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The id and url of the comment ``addDiscussionComment`` made (``None`` if unnamed)."""
    added = data.get("addDiscussionComment")
    comment = added.get("comment") if isinstance(added, dict) else None
    if not isinstance(comment, dict):
        return None, None
    try:
        ident = id_field(comment.get("id"), "comment.id")
    except QuestionShapeError:
        ident = None
    return ident, web_link(comment.get("url"))
