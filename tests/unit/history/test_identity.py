"""Identity keys: who wrote a question, and the joins they must never make."""

from __future__ import annotations

import unicodedata

import pytest

from cxdaily.core.models import Author
from cxdaily.history.identity import (
    ACCOUNT,
    EMAIL,
    HANDLE,
    IdentityKey,
    describe,
    email_address,
    identity_keys,
    organisation_hint,
)
from tests.unit.history.history_kit import email_author, question, social_author


def _keys(**fields) -> set[IdentityKey]:
    return set(identity_keys(question("1", **fields)))


# ----------------------------------------------------------------------------- emails
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("anna@acme.example", "anna@acme.example"),
        ("  Anna.Berg@ACME.Example ", "anna.berg@acme.example"),
        ("Anna Berg <anna@acme.example>", "anna@acme.example"),
        ("mailto:anna@acme.example", "anna@acme.example"),
        ("anna@Bücher.example", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
    ],
)
def test_an_email_address_compares_whatever_its_case_or_form(text, expected):
    assert email_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "@anna",
        "@anna@social.example",  # a Mastodon account, not a mailbox
        "Anna Berg",
        "anna@localhost",
        "anna@@acme.example",
        "noreply@acme.example",
        "No-Reply@acme.example",
        "mailer-daemon@acme.example",
        "anna berg@acme.example",
    ],
)
def test_what_is_not_an_email_address_is_none(text):
    assert email_address(text) is None


def test_a_composed_and_a_decomposed_accent_are_one_address():
    composed = unicodedata.normalize("NFC", "josé@acme.example")
    decomposed = unicodedata.normalize("NFD", "josé@acme.example")
    assert composed != decomposed
    assert email_address(composed) == email_address(decomposed)


def test_a_help_desk_requester_and_an_email_sender_share_one_key():
    desk = _keys(author=email_author("Anna@Acme.example", ident="9001"))
    inbox = _keys(channel="inbox", kind="email", author=email_author("anna@acme.example"))
    assert IdentityKey(EMAIL, "", "anna@acme.example") in desk & inbox


def test_a_requester_email_in_meta_is_a_key_and_a_missing_one_is_none():
    keys = _keys(author=Author(id="77", name="Anna"), meta={"requester_email": "anna@acme.example"})
    assert IdentityKey(EMAIL, "", "anna@acme.example") in keys
    assert _keys(author=Author(name="Anna"), meta={"requester_email": None}) == set()


# ----------------------------------------------------------------------------- no false joins
def test_a_display_name_alone_is_no_key():
    assert _keys(author=Author(name="Anna")) == set()
    assert _keys(author=Author()) == set()


def test_two_people_at_one_company_never_share_a_key():
    anna = _keys(author=email_author("anna@acme.example"))
    bob = _keys(author=email_author("bob@acme.example"))
    assert anna and bob and not anna & bob


def test_one_handle_on_two_networks_is_two_keys():
    on_x = _keys(channel="brand-x", kind="x", author=social_author("@anna"))
    on_reddit = _keys(channel="r-acme", kind="reddit", author=social_author("u/anna"))
    assert on_x == {IdentityKey(HANDLE, "x", "anna")}
    assert on_reddit == {IdentityKey(HANDLE, "reddit", "anna")}


def test_a_handle_ignores_case_and_two_channels_of_one_network_share_it():
    first = _keys(channel="brand-x", kind="x", author=social_author("@Anna"))
    second = _keys(channel="other-x", kind="x", author=social_author("@anna"))
    assert first == second


def test_a_forum_name_is_local_to_its_channel():
    one = _keys(channel="community", kind="discourse", author=social_author("anna_b"))
    other = _keys(channel="partners", kind="discourse", author=social_author("anna_b"))
    assert one and other and not one & other


def test_review_nicknames_handles_with_spaces_and_names_in_disguise_are_no_keys():
    review = _keys(kind="app_store", author=Author(handle="anna", name="anna"))
    spaced = _keys(kind="jsonl", author=Author(handle="Anna B", name="Anna B"))
    disguised = _keys(kind="jsonl", author=Author(handle="Anna", name="anna"))
    assert review == spaced == disguised == set()


def test_anonymous_handles_are_no_keys():
    assert _keys(kind="reddit", author=social_author("u/[deleted]")) == set()


def test_an_account_id_is_scoped_like_the_handles():
    desk = _keys(author=Author(id="42", name="Anna"))
    other_desk = _keys(channel="eu-support", author=Author(id="42", name="Anna"))
    assert desk == {IdentityKey(ACCOUNT, "zendesk@support", "42")}
    assert not desk & other_desk


def test_the_demo_inbox_scopes_by_the_service_it_names():
    keys = _keys(channel="demo", kind="demo", author=social_author("@anna"), meta={"service": "x"})
    assert keys == {IdentityKey(HANDLE, "x", "anna")}


# ----------------------------------------------------------------------------- labels and hints
def test_keys_read_as_the_leader_would_say_them():
    assert describe(IdentityKey(EMAIL, "", "anna@acme.example")) == "anna@acme.example"
    assert describe(IdentityKey(HANDLE, "x", "anna")) == "@anna on X"
    assert describe(IdentityKey(HANDLE, "reddit", "anna")) == "u/anna on Reddit"
    assert describe(IdentityKey(HANDLE, "discourse@community", "anna")) == (
        "@anna on Discourse (community)"
    )
    assert describe(IdentityKey(ACCOUNT, "zendesk@support", "42")) == (
        "Zendesk (support) account 42"
    )


def test_a_label_drops_escape_sequences():
    assert "\x1b" not in describe(IdentityKey(HANDLE, "x", "anna\x1b]52;c;x\x07"))


@pytest.mark.parametrize(
    ("address", "hint"),
    [
        ("anna@acme.example.com", "acme.example.com"),
        ("anna@acme.example", None),  # a reserved top-level domain
        ("anna@gmail.com", None),
        ("anna@example.com", None),
        ("anna@hotmail.co.uk", None),
    ],
)
def test_only_a_company_domain_is_an_organisation_hint(address, hint):
    assert organisation_hint(address) == hint
