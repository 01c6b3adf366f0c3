"""The service catalogue is the one table every service list reads."""

from __future__ import annotations

import tomllib

import pytest

from cxdaily.connectors import demo
from cxdaily.connectors.demo import load_inbox
from cxdaily.core import services
from cxdaily.core.services import (
    CATALOGUE,
    PUBLIC_SERVICES,
    SEGMENTS,
    SERVICE_NAMES,
    SHORT_REPLY_SERVICES,
    CatalogueError,
    parse_catalogue,
    segment_of_service,
    service_entry,
    service_name,
)
from cxdaily.curation import lexicon

#: The services product.md promises, by family.
PRODUCT_SERVICES = {
    "help desk": {"zendesk", "freshdesk", "helpscout", "intercom", "front"},
    "social": {"mastodon", "bluesky", "x", "reddit", "facebook", "instagram", "youtube"},
    "community": {"discourse", "khoros", "wordpress", "github"},
    "email": {"email"},
    "reviews": {"app_store", "google_play", "trustpilot"},
}


@pytest.mark.parametrize("segment", sorted(PRODUCT_SERVICES))
def test_every_service_of_the_product_is_catalogued_in_its_segment(segment):
    for key in PRODUCT_SERVICES[segment]:
        assert segment_of_service(key) == segment, key


def test_entries_are_well_formed():
    for key, entry in CATALOGUE.items():
        assert entry.key == key and entry.name and entry.segment in SEGMENTS
        assert entry.reply_limit is None or entry.reply_limit > 0
        assert entry.reply_limit_unit in ("characters", "weighted characters", "graphemes")


def test_documented_reply_limits():
    assert service_entry("x").reply_limit == 280
    assert service_entry("x").reply_limit_unit == "weighted characters"
    assert service_entry("mastodon").reply_limit == 500
    assert service_entry("bluesky").reply_limit == 300
    assert service_entry("bluesky").reply_limit_unit == "graphemes"
    assert service_entry("google_play").reply_limit == 350
    assert service_entry("zendesk").reply_limit is None  # no documented limit


def test_names_and_unknown_services():
    assert service_name("helpscout") == "Help Scout"
    assert service_name("no-such-service") == "no-such-service"
    assert service_entry("no-such-service") is None
    assert segment_of_service("no-such-service") is None
    assert SERVICE_NAMES["app_store"] == "App Store"


def test_every_other_list_reads_the_catalogue():
    assert {key: e.segment for key, e in CATALOGUE.items()} == lexicon.SEGMENTS
    assert lexicon.SHORT_REPLY_KINDS == SHORT_REPLY_SERVICES
    assert demo.PUBLIC_SERVICES is PUBLIC_SERVICES
    assert {k for k, e in CATALOGUE.items() if e.public} == PUBLIC_SERVICES


def test_the_lists_are_unchanged_for_the_services_that_existed():
    """The catalogue replaced four hand-kept lists; their contents stay as they were."""
    assert {
        "x", "mastodon", "bluesky", "instagram", "youtube", "facebook", "app_store",
        "google_play",
    } == SHORT_REPLY_SERVICES  # fmt: skip
    # Khoros community replies are public posts (its connector says so since it exists)
    assert PUBLIC_SERVICES - {"trustpilot", "khoros"} == {
        "x", "mastodon", "bluesky", "reddit", "facebook", "instagram", "youtube", "discourse",
        "wordpress", "github", "app_store", "google_play",
    }  # fmt: skip


def test_every_demo_service_is_catalogued():
    for item in load_inbox()["questions"]:
        assert item["service"] in CATALOGUE


def test_the_catalogue_imports_nothing_of_ours():
    source = services.__loader__.get_source(services.__name__)  # type: ignore[union-attr]
    assert "from cxdaily" not in source and "import cxdaily" not in source


def test_each_built_in_connector_accepts_the_reply_length_its_catalogue_entry_says():
    from cxdaily.connectors import connector_class, service_kinds

    for kind in service_kinds():
        declared = connector_class(kind).capabilities.max_reply_length
        assert declared == CATALOGUE[kind].reply_limit, kind


def test_every_entry_of_the_data_is_read_with_its_connector_data():
    assert parse_catalogue(services.ENTRIES) == CATALOGUE
    assert list(CATALOGUE) == list(services.ENTRIES)
    for key, entry in CATALOGUE.items():
        assert entry.summary is None or entry.summary.strip(), key
        assert entry.auth_hint is None or entry.auth_hint.strip(), key
        assert entry.secret_fields is None or isinstance(entry.secret_fields, tuple), key
        assert entry.default_base_url is None or entry.default_base_url.startswith("https://")
    assert CATALOGUE["helpscout"].secret_fields == ("client_id", "client_secret")
    assert CATALOGUE["front"].default_base_url == "https://api2.frontapp.com"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[acme]\nsegment = 'social'\n", "service catalogue entry [acme]: name is missing"),
        ("[acme]\nname = 'Acme'\nsegment = 'chat'\n", "[acme]: segment must be one of help desk"),
        ("[acme]\nname = 'A'\nsegment = 'social'\npublic = 'yes'\n", "public must be true or"),
        ("[acme]\nname = 'A'\nsegment = 'social'\nreply_limit = 0\n", "reply_limit must be a "),
        ("[acme]\nname = 'A'\nsegment = 'social'\nsecret_fields = ''\n", "a list of texts"),
        ("[acme]\nname = 'A'\nsegment = 'social'\ncolour = 'red'\n", "unknown field 'colour'"),
        ("[acme]\nname = 'A'\nsegment = 'social'\ndefault_base_url = 'http://a'\n", "https://"),
        ("acme = 1\n", "service catalogue entry [acme] must be a table"),
    ],
)
def test_a_malformed_entry_is_one_line_naming_the_entry_and_field(text, message):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(tomllib.loads(text))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_entry_reads_the_fields_it_leaves_out_as_their_defaults():
    entry = parse_catalogue({"acme": {"name": "Acme", "segment": "reviews"}})["acme"]
    assert (entry.public, entry.reply_limit, entry.short_replies) == (False, None, False)
    assert (entry.summary, entry.secret_fields, entry.auth_hint) == (None, None, None)
