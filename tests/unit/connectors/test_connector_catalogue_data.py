"""A catalogued kind's descriptive data comes from its service catalogue entry, once."""

from __future__ import annotations

import inspect
import re

import pytest

from cxdaily.connectors import connector_class, service_kinds
from cxdaily.connectors.base import CATALOGUE_ATTRIBUTES, Capabilities, Connector
from cxdaily.connectors.jsonl import JsonlConnector
from cxdaily.connectors.mastodon import MastodonConnector
from cxdaily.connectors.public_channel import public_capabilities
from cxdaily.connectors.zendesk import OAUTH_FIELD, TOKEN_FIELD, ZendeskConnector
from cxdaily.core.services import CATALOGUE


@pytest.mark.parametrize("kind", service_kinds())
def test_each_built_in_connector_reads_its_entry_and_repeats_none_of_it(kind):
    cls = connector_class(kind)
    entry = CATALOGUE[kind]
    source = inspect.getsource(cls)
    for name in CATALOGUE_ATTRIBUTES:
        if getattr(entry, name) is not None:
            assert getattr(cls, name) == getattr(entry, name), (kind, name)
            assert not re.search(rf"^    {name}\b.*=", source, re.MULTILINE), (kind, name)
    assert cls.summary, kind
    assert cls.capabilities.public == entry.public
    assert cls.capabilities.max_reply_length == entry.reply_limit


def test_the_secret_fields_in_the_catalogue_are_the_ones_the_code_reads():
    assert ZendeskConnector.secret_fields == (TOKEN_FIELD, OAUTH_FIELD)
    assert ZendeskConnector.secrets_any_one  # behaviour stays declared on the class


def test_the_capabilities_keep_the_connector_s_own_traits():
    caps = connector_class("app_store").capabilities
    assert (caps.threads, caps.one_reply, caps.finds_own_replies) == (False, True, True)
    assert (caps.public, caps.max_reply_length) == (True, 5970)
    assert MastodonConnector.capabilities.idempotency_keys


def test_a_kind_outside_the_catalogue_keeps_its_own_declarations():
    assert JsonlConnector.summary.startswith("questions from a JSON-lines file")

    class Probe(Connector):
        kind = "probe-kind"
        summary = "a probe"
        capabilities = Capabilities(max_reply_length=12)

        async def fetch(self, checkpoint):  # pragma: no cover - never called
            raise NotImplementedError

        async def send_reply(self, question, body, *, idempotency_key):  # pragma: no cover
            raise NotImplementedError

    assert (Probe.summary, Probe.capabilities.max_reply_length) == ("a probe", 12)
    assert Probe.secret_fields == ()


def test_a_class_s_own_declaration_wins_and_a_subclass_without_kind_inherits():
    class OwnSummary(MastodonConnector):
        kind = "mastodon"
        summary = "a mastodon probe"
        capabilities = public_capabilities(idempotency_keys=False)

    class Inherits(MastodonConnector):
        pass

    assert OwnSummary.summary == "a mastodon probe"
    assert OwnSummary.auth_hint == CATALOGUE["mastodon"].auth_hint
    assert OwnSummary.capabilities.max_reply_length == 500
    assert Inherits.summary == MastodonConnector.summary == CATALOGUE["mastodon"].summary
