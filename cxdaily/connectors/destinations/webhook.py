"""The ``webhook`` destination: a Slack or Teams incoming webhook, or any JSON webhook.

Config::

    [destinations.team-slack]
    kind = "webhook"
    format = "slack"                 # slack, teams or json
    link = "https://wiki.acme.com/customer-digest"   # optional: linked from the message

    [destinations.warehouse]
    kind = "webhook"
    format = "json"
    url = "https://hooks.acme.com/cxdaily"

- ``slack``: ``{"text": ..., "blocks": [...]}`` with the summary and the top themes;
- ``teams``: a message with one Adaptive Card (Teams incoming webhooks and the Workflows
  "when a webhook request is received" flows take this shape);
- ``json``: the whole versioned JSON digest (``cxdaily.digest/1``, the ``--format json``
  document), for any system that takes a POST.

A Slack or Teams webhook address holds its own secret, so it is best kept out of the
config file: without ``url``, the destination's secret *is* the address (``cxdaily login
NAME`` asks for it; ``CXDAILY_SECRET_<NAME>`` works too), and neither it nor its path ever
appears in a message. With ``url`` set, the secret (optional) is a token sent as
``Authorization: Bearer`` to that address's origin only. Every post carries an
``Idempotency-Key`` made from the destination and the period, so a receiver that honours
it never applies one digest twice.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

from cxdaily.connectors.destinations.base import DESTINATION_OPTIONS, Destination, Ledger
from cxdaily.connectors.options import Option
from cxdaily.core.errors import CredentialError
from cxdaily.insights.delivery.model import Delivered, Parcel

FORMATS = {"slack": "Slack message", "teams": "Teams card", "json": "JSON digest"}


class WebhookDestination(Destination):
    """A POST of the digest's summary (Slack, Teams) or of the whole JSON digest."""

    secret_fields = ("",)
    secret_optional = True  # with url set, a bearer token; without, the address itself
    declared_options = DESTINATION_OPTIONS.extended(
        Option("format", "enum", "slack, teams or json", required=True, choices=tuple(FORMATS)),
        Option("url", "url", "the webhook's address (without it, the secret is the address)"),
        Option("link", "url", "where the full digest can be read (linked from the message)"),
    )

    def configure(self) -> None:
        """The format and the configured address (when not a secret)."""
        self.format: str = self.option("format")
        self.url: str | None = self.option("url")

    def describe(self) -> str:
        """``Slack message to hooks.slack.com`` (a secret address: ``to the address in
        its secret``)."""
        what = FORMATS[self.format]
        if self.url is None:
            return f"{what} to the address in its secret"
        return f"{what} to {urlsplit(self.url).hostname}"

    def target(self) -> tuple[str, str | None]:
        """The address to post to and the bearer token (``None``: no token).

        A secret address is checked like a configured one (https, or http to this
        machine) and scrubbed, path included, from every message."""
        if self.url is not None:
            return self.url, self.optional_secret()
        try:
            address = self.secret()
        except CredentialError as exc:
            raise CredentialError(
                f"{self.name}: no webhook address: set url in [destinations.{self.name}] or "
                f"store the address as its secret ({exc})"
            ) from None
        path = urlsplit(address).path
        if len(path) > 1:
            self.scrubber.add(path)
        from cxdaily.connectors.http import check_url

        check_url(address, channel=self.name)
        return address, None

    def payload(self, parcel: Parcel) -> Any:
        """The body for this destination's format."""
        from cxdaily.insights.delivery.messages import slack_message, teams_message

        link = self.option("link")
        if self.format == "slack":
            return slack_message(parcel.digest, link)
        if self.format == "teams":
            return teams_message(parcel.digest, link)
        return json.loads(parcel.text("json"))

    async def deliver(self, parcel: Parcel, ledger: Ledger) -> Delivered:
        """POST the payload once (a failed POST is not repeated: the next send retries)."""
        address, token = await asyncio.to_thread(self.target)  # a keyring may block
        http = self.http
        headers = {"Idempotency-Key": f"cxdaily-digest:{self.name}:{parcel.period.key}"}
        if token:
            http.allow_credentials_to(address)
            headers["Authorization"] = f"Bearer {token}"
        await http.request("POST", address, json_body=self.payload(parcel), headers=headers)
        return Delivered(items=1, detail=self.describe())
