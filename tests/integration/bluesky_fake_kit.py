"""A stateful fake of the Bluesky XRPC endpoints the ``bluesky`` connector uses, shaped
like their documented answers: sessions (createSession, refreshSession, getSession,
expired tokens answered ``400 ExpiredToken``), notifications newest first paged by
``cursor``, threads (getPostThread), profiles (getProfiles), records (createRecord with
a client-chosen ``rkey``, getRecord), and 429s with ``ratelimit-*`` headers on demand.

``FakeBluesky.handler(seen)`` answers a loopback server; ``respond`` is the same answer
for any transport (the unit tests wrap it in an ``httpx.MockTransport``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.integration.loopback_kit import Answer, Seen

HANDLE = "brand.bsky.social"
DID = "did:plc:brand0000000000000000000"
PASSWORD = "abcd-efgh-ijkl-mnop"
T0 = 1_796_371_200.0  # 2026-12-04T08:00:00Z
CUSTOMERS = {
    "jane.bsky.social": ("did:plc:jane000000000000000000000", "Jane Roe", 1200),
    "omar.example.com": ("did:plc:omar000000000000000000000", "Omar", 35),
}


def iso(epoch: float) -> str:
    """An instant as Bluesky writes one (milliseconds, ``Z``)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def xrpc_error(status: int, name: str, message: str) -> Answer:
    """An XRPC error answer."""
    return Answer(status, {"error": name, "message": message})


@dataclass
class FakeBluesky:
    """One PDS with the brand's account and a few customers."""

    handle: str = HANDLE
    did: str = DID
    password: str = PASSWORD
    page_size: int = 100
    clock: float = T0
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """postView by uri (customers' and ours)."""
    notifications: list[dict[str, Any]] = field(default_factory=list)
    """Oldest first (the API answers newest first)."""
    replies: list[dict[str, Any]] = field(default_factory=list)
    """Every createRecord body received that made a post."""
    seen: list[Seen] = field(default_factory=list)
    throttled: list[dict[str, str]] = field(default_factory=list)
    sessions_created: int = 0
    refreshed: int = 0
    access: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    duplicate_answer: tuple[int, str] = (400, "RecordAlreadyExists")
    """What createRecord answers for a record key already used."""
    failing: set[str] = field(default_factory=set)
    """XRPC methods answered with a 500 (a look-up that fails)."""
    _count: int = 0

    # -- state -------------------------------------------------------------------
    def tick(self) -> float:
        """The time of the next event, one minute after the last."""
        self.clock += 60
        return self.clock

    def _next(self) -> int:
        self._count += 1
        return self._count

    def author(self, handle: str) -> dict[str, Any]:
        """A profileViewBasic."""
        if handle == self.handle:
            return {"did": self.did, "handle": self.handle, "displayName": "Brand", "labels": []}
        did, name, _ = CUSTOMERS.get(handle, (f"did:plc:{handle.split('.')[0]}", None, 0))
        view: dict[str, Any] = {"did": did, "handle": handle, "avatar": "https://cdn/a.jpg"}
        if name is not None:
            view["displayName"] = name
        return view

    def post(
        self, handle: str, text: str, *, reply_to: str | None = None, notify: str | None = None,
        facets: list[dict[str, Any]] | None = None, rkey: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """A new post by ``handle`` (a reply when ``reply_to`` names a post); ``notify``
        adds a notification of that reason to the brand."""
        author = self.author(handle)
        rkey = rkey or f"3k{self._next():011d}"
        uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
        when = iso(self.tick())
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": when,
                                  "langs": ["en"]}  # fmt: skip
        if facets:
            record["facets"] = facets
        if reply_to is not None:
            parent = self.posts[reply_to]
            root = parent["record"].get("reply", {}).get("root") or {
                "uri": parent["uri"], "cid": parent["cid"]}  # fmt: skip
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        view = {"uri": uri, "cid": f"bafy{rkey}", "author": author, "record": record,
                "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": when, "labels": []}  # fmt: skip
        self.posts[uri] = view
        if notify:
            self.notifications.append({
                "uri": uri, "cid": view["cid"], "author": author, "reason": notify,
                "record": record, "isRead": False, "indexedAt": when, "labels": [],
            })  # fmt: skip
        return view

    def mention(self, handle: str, text: str, **kw: Any) -> str:
        """A customer mentions the brand; returns the post's uri."""
        return self.post(handle, text, notify="mention", **kw)["uri"]

    def brand_replies(self, uri: str, text: str) -> str:
        """The brand answers from the Bluesky app (no notification)."""
        return self.post(self.handle, text, reply_to=uri)["uri"]

    def expire_tokens(self) -> None:
        """Every access token issued so far expires."""
        self.expired |= self.access

    def throttle(self, **headers: str) -> None:
        """Answer the next request with a 429 carrying these headers."""
        self.throttled.append({n.replace("_", "-"): v for n, v in headers.items()})

    # -- the API -------------------------------------------------------------------
    def handler(self, seen: Seen) -> Answer:
        """Answer one request of a loopback server."""
        return self.respond(seen)

    def respond(self, seen: Seen) -> Answer:
        """The PDS's answer to one request."""
        self.seen.append(seen)
        if self.throttled:
            return Answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                          headers=self.throttled.pop(0))  # fmt: skip
        method = seen.path.rsplit("/", 1)[-1]
        if not seen.path.startswith("/xrpc/") and "/xrpc/" not in seen.path:
            return xrpc_error(404, "NotFound", "Not Found")
        if method in self.failing:
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        if method == "com.atproto.server.createSession":
            return self._create_session(json.loads(seen.body or b"{}"))
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if method == "com.atproto.server.refreshSession":
            if token not in self.refresh_tokens:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            self.refresh_tokens.discard(token)
            self.refreshed += 1
            return Answer(200, self._session())
        if token in self.expired:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if token not in self.access:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        query = {k: v for k, v in seen.query.items()}
        if method == "com.atproto.server.getSession":
            return Answer(200, {"handle": self.handle, "did": self.did, "active": True})
        if method == "app.bsky.notification.listNotifications":
            return self._notifications(query)
        if method == "app.bsky.feed.getPostThread":
            return self._thread(query)
        if method == "app.bsky.actor.getProfiles":
            return self._profiles(query)
        if method == "com.atproto.repo.createRecord":
            return self._create_record(json.loads(seen.body))
        if method == "com.atproto.repo.getRecord":
            return self._get_record(query)
        return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")

    def _session(self) -> dict[str, Any]:
        n = self._next()
        access, refresh = f"eyJ.access{n}.sig", f"eyJ.refresh{n}.sig"
        self.access.add(access)
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.handle,
                "did": self.did, "active": True,
                "didDoc": {"id": self.did, "service": [{
                    "id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://morel.us-east.host.bsky.network"}]}}  # fmt: skip

    def _create_session(self, body: dict[str, Any]) -> Answer:
        if (
            body.get("identifier") not in (self.handle, self.did)
            or body.get("password") != self.password
        ):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions_created += 1
        return Answer(200, self._session())

    def _notifications(self, query: dict[str, list[str]]) -> Answer:
        reasons = query.get("reasons") or []
        items = [n for n in reversed(self.notifications) if not reasons or n["reason"] in reasons]
        limit = min(int((query.get("limit") or ["50"])[0]), 100, self.page_size)
        start = int((query.get("cursor") or ["0"])[0])
        page: dict[str, Any] = {"notifications": items[start : start + limit],
                                "seenAt": iso(self.clock)}  # fmt: skip
        if start + limit < len(items):
            page["cursor"] = str(start + limit)
        return Answer(200, page)

    def _thread(self, query: dict[str, list[str]]) -> Answer:
        uri = (query.get("uri") or [""])[0]
        if uri not in self.posts:
            return xrpc_error(400, "NotFound", f"Post not found: {uri}")
        depth = int((query.get("depth") or ["6"])[0])
        height = int((query.get("parentHeight") or ["80"])[0])
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                "post": self.posts[uri]}  # fmt: skip
        if depth > 0:
            node["replies"] = [
                {"$type": "app.bsky.feed.defs#threadViewPost", "post": p, "replies": []}
                for p in self.posts.values()
                if p["record"].get("reply", {}).get("parent", {}).get("uri") == uri
            ]
        current = node
        for _ in range(height):
            parent_uri = current["post"]["record"].get("reply", {}).get("parent", {}).get("uri")
            if parent_uri is None:
                break
            if parent_uri not in self.posts:
                current["parent"] = {"$type": "app.bsky.feed.defs#notFoundPost",
                                     "uri": parent_uri, "notFound": True}  # fmt: skip
                break
            current["parent"] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                 "post": self.posts[parent_uri]}  # fmt: skip
            current = current["parent"]
        return Answer(200, {"thread": node})

    def _profiles(self, query: dict[str, list[str]]) -> Answer:
        actors = query.get("actors") or []
        if len(actors) > 25:
            return xrpc_error(400, "InvalidRequest", "actors must not have more than 25 elements")
        profiles = []
        for handle, (did, name, followers) in CUSTOMERS.items():
            if did in actors or handle in actors:
                profiles.append({"did": did, "handle": handle, "displayName": name,
                                 "followersCount": followers, "followsCount": 10,
                                 "postsCount": 3})  # fmt: skip
        return Answer(200, {"profiles": profiles})

    def _create_record(self, body: dict[str, Any]) -> Answer:
        record = body.get("record") or {}
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        if not isinstance(record.get("text"), str) or "createdAt" not in record:
            return xrpc_error(400, "InvalidRequest", "Record/text must be a string")
        rkey = body.get("rkey") or f"3z{self._next():011d}"
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        if uri in self.posts:
            status, name = self.duplicate_answer
            return xrpc_error(status, name, "Record already exists")
        self.replies.append(body)
        parent = (record.get("reply") or {}).get("parent", {}).get("uri")
        view = self.post(self.handle, record["text"], reply_to=parent, rkey=rkey)
        return Answer(200, {"uri": uri, "cid": view["cid"],
                            "commit": {"cid": "bafycommit", "rev": "3lrev"},
                            "validationStatus": "valid"})  # fmt: skip

    def _get_record(self, query: dict[str, list[str]]) -> Answer:
        repo = (query.get("repo") or [""])[0]
        rkey = (query.get("rkey") or [""])[0]
        uri = f"at://{repo}/{(query.get('collection') or [''])[0]}/{rkey}"
        view = self.posts.get(uri)
        if view is None:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Answer(200, {"uri": uri, "cid": view["cid"], "value": view["record"]})
