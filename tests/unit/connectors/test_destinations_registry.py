"""The destination registry: each kind's sender takes its descriptive data from its entry."""

from __future__ import annotations

import pytest

from cxdaily.connectors.destinations import destination_class, destination_kinds
from cxdaily.connectors.destinations.kinds import DESTINATION_KINDS, registered_kind
from cxdaily.core.errors import ConfigError


@pytest.mark.parametrize("kind", sorted(DESTINATION_KINDS))
def test_each_sender_takes_kind_summary_and_service_from_its_entry(kind: str) -> None:
    entry = DESTINATION_KINDS[kind]
    cls = destination_class(kind)
    assert (cls.kind, cls.summary, cls.service) == (kind, entry.summary, entry.service)
    assert registered_kind(cls) is entry
    assert entry.summary and "\n" not in entry.summary


def test_the_listing_is_the_registry_sorted() -> None:
    assert destination_kinds() == ["email", "jira", "linear", "productboard", "webhook"]


def test_an_unknown_kind_is_a_one_line_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        destination_class("fax")
    assert str(caught.value) == (
        "unknown destination kind 'fax' (known: email, jira, linear, productboard, webhook)"
    )


def test_a_class_no_entry_names_keeps_its_own_data() -> None:
    from cxdaily.connectors.destinations.base import Destination

    class Unlisted(Destination):
        kind = "unlisted"
        summary = "its own line"

        async def deliver(self, parcel, ledger):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    assert registered_kind(Unlisted) is None
    assert (Unlisted.kind, Unlisted.summary, Unlisted.service) == ("unlisted", "its own line", "")
