"""Text features: tokens, sentiment, frustration, requests, keywords; bounded on any input."""

from __future__ import annotations

import re
import time

import pytest

from cxdaily.curation.settings import DEFAULT_WATCH_KEYWORDS
from cxdaily.curation.text import (
    PREFIX_CHARS,
    TextReader,
    inflections,
    question_terms,
    tokenize,
)
from tests.unit.curation.curation_kit import ask

READER = TextReader(DEFAULT_WATCH_KEYWORDS)


def read(body: str, title: str | None = None, **kwargs):
    return READER.read(ask("1", body, title=title, **kwargs))


def test_tokens_are_lower_case_words_that_keep_versions_and_contractions():
    assert tokenize("The iOS widget (4.2.0) doesn't refresh. Why?") == [
        b"the",
        b"ios",
        b"widget",
        b"4.2.0",
        b"doesn't",
        b"refresh",
        b".",  # the end of a sentence
        b"why",
        b".",
    ]
    assert tokenize("Löschung meiner Daten") == ["löschung".encode(), b"meiner", b"daten"]


def test_topic_terms_leave_out_stop_words_and_small_numbers():
    terms = question_terms(
        ask("1", "Hi team, the widget is stuck on 4.2 since 2 days", title="Widget")
    )
    assert {b"widget", b"stuck", b"4.2"} <= terms
    assert not {b"hi", b"team", b"the", b"is", b"on", b"2"} & terms


@pytest.mark.parametrize(
    "body",
    [
        "This is broken and nobody answers. Terrible!",
        "Worst update ever, the app is useless now",
        "I am really disappointed and frustrated",
        "Das ist eine Katastrophe, die App ist kaputt",
    ],
)
def test_complaints_read_negative(body):
    text = read(body)
    assert text.negative and text.sentiment < 0


@pytest.mark.parametrize(
    "body",
    [
        "Thanks, love the app!",
        "Great tutorial, finally understand it",
        "shoutout to support, fixed my broken link in 5 minutes",
        "This is not bad at all",
    ],
)
def test_praise_and_negated_complaints_do_not_read_negative(body):
    assert not read(body).negative


def test_a_negation_flips_praise():
    assert read("The new sync is not good").sentiment < 0 < read("The new sync is good").sentiment


@pytest.mark.parametrize(
    "body",
    [
        "The calendar sync is not working",
        "La sincronización no funciona",
        "Die Synchronisation funktioniert nicht",
        "Die App funktioniert seit Wochen nicht richtig",
        "La synchro ne marche pas",
        "ça marche pas depuis hier",
        "Je n'arrive pas à me connecter",
        "Seit drei Tagen keine Antwort vom Support",
        "Toujours aucune réponse",
    ],
)
def test_negated_verbs_are_complaints_in_four_languages(body):
    assert read(body).negative


@pytest.mark.parametrize(
    ("plain", "stronger"),
    [
        ("It is slow", "It is very slow"),
        ("La app es lenta", "La app es muy lenta"),
        ("Das ist ärgerlich", "Das ist sehr ärgerlich"),
        ("C'est décevant", "C'est vraiment décevant"),
    ],
)
def test_boosters_strengthen_a_word(plain, stronger):
    assert read(stronger).sentiment < read(plain).sentiment < 0


@pytest.mark.parametrize(
    ("accented", "folded"),
    [
        ("Ich bin sehr enttäuscht", "Ich bin sehr enttaeuscht"),
        ("Je suis très déçu", "Je suis tres decu"),
        ("La aplicación es pésima", "La aplicacion es pesima"),
    ],
)
def test_ascii_folded_spellings_read_like_accented_ones(accented, folded):
    assert read(folded).sentiment == read(accented).sentiment < 0


@pytest.mark.parametrize(
    "body",
    [
        "Dark mode!!! Thank you",
        "¡Gracias por todo!",
        "«Génial», merci",
    ],
)
def test_exclamation_marks_and_spanish_and_french_marks_do_not_hide_words(body):
    assert read(body).sentiment > 0


@pytest.mark.parametrize(
    "body",
    [
        "URGENT: nobody on our team can log in, please call me asap",
        "Dringend: der Export bricht mit Fehler 500 ab",
        "Es la tercera vez que escribo y nadie me contesta",
        "C'est mon troisième message. J'en ai marre.",
        "Das ist jetzt meine dritte Nachricht und immer noch keine Antwort",
    ],
)
def test_urgency_and_frustration_read_negative(body):
    assert read(body).negative


def test_frustration_in_other_languages():
    assert read("Sigo sin respuesta").frustrated
    assert read("Seit Tagen noch keine Antwort").frustrated
    assert read("Toujours pas de réponse").frustrated
    assert not read("Die Team-Funktionen habe ich noch nicht getestet").frustrated


@pytest.mark.parametrize(
    "body",
    [
        "Hiermit kündige ich mein Abo",
        "Bitte bestätigen Sie meine Kündigung",
        "bitte bestaetigen Sie meine Kuendigung",
        "Quiero cancelar mi suscripción",
        "Quiero darme de baja hoy mismo",
        "Je souhaite résilier mon abonnement",
        "je veux resilier mon abonnement",
        "Merci d'annuler ma commande",
    ],
)
def test_the_cancel_keyword_is_found_in_four_languages(body):
    assert read(body).keywords == ("cancel",)


def test_translated_keywords_count_as_the_configured_one_and_only_when_configured():
    assert read("Ich will mein Geld zurück, sonst geht es zum Anwalt").keywords == (
        "refund",
        "lawyer",
    )
    assert TextReader(["refund"]).read(ask("1", "Je souhaite résilier")).keywords == ()
    assert TextReader(["cancel"]).read(ask("1", "de baja calidad")).keywords == ()


@pytest.mark.parametrize(
    "body",
    [
        "This is my third message and still no reply",
        "I have been waiting for a week",
        "Not one human reply in five days",
        "Any update on this?",
        "Nobody at your company answers",
    ],
)
def test_frustration(body):
    assert read(body).frustrated


def test_calm_text_is_not_frustrated():
    assert not read("I am still learning the app; is there a guide for waiting lists?").frustrated


def test_questions_and_requests():
    assert read("How do I export? And where are invoices?").asks == 2
    assert read("Please fix the sync asap").requests
    assert read("@acme the widget is stuck").requests  # addressed to the company
    passing = read("Monday planning ritual: colour-code everything")
    assert passing.asks == 0 and not passing.requests


def test_keywords_match_inflections_and_phrases_in_configured_order():
    assert read("I was refunded half and cancelled the rest").keywords == ("cancel", "refund")
    assert read("We are switching to Calvista").keywords == ("switching to",)
    assert read("Outages all week").keywords == ("outage",)
    assert read("The refundable plan").keywords == ()  # not a word form of refund


def test_a_reader_compiles_a_keyword_pattern_only_when_a_question_needs_it(monkeypatch):
    """A reader is made at every start, and most questions are read from their kept
    matches: making one compiles none of its keywords' patterns (they and their
    translations are many), and each is compiled once, when first searched with."""
    compiled: list[str] = []
    real_compile = re.compile

    def counting(pattern, flags=0):
        compiled.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    reader = TextReader(DEFAULT_WATCH_KEYWORDS)
    assert compiled == []
    phrase = ask("1", "We are switching to Calvista")
    assert reader.read(phrase).keywords == ("switching to",)
    assert reader.read(phrase).keywords == ("switching to",)
    assert compiled.count(r"(?<!\w)switching\s+to") == 1  # when first needed, then kept
    translated = ask("1", "Nach der Kündigung " + "kein Geld. " * 80 + "Dann eben Datenverlust.")
    assert reader.read(translated).keywords == ("cancel",)


def test_a_keyword_at_the_end_of_a_long_complaint_is_found():
    body = "I am furious about this. " + "Details of the problem. " * 60 + "My lawyer will call."
    assert len(body) > PREFIX_CHARS
    assert read(body).keywords == ("lawyer",)


def test_inflections():
    forms = inflections("cancel")
    assert {b"cancel", b"cancels", b"cancelled", b"canceled", b"cancelling"} <= forms
    assert {b"replies", b"replied"} <= inflections("reply")


@pytest.mark.parametrize(
    "body",
    [
        "",
        " \n\t ",
        "a" * 1_000_000,
        ("word " * 200_000),
        "日本語のテキストだけです。返金してください",
        "\x1b]52;c;SGVsbG8=\x07[@click=app.quit]x[/] \x9b31m \u202e",
        "\ud800 lone surrogate",
    ],
)
def test_any_text_is_read_quickly_and_without_error(body):
    started = time.perf_counter()
    text = read(body, title=body[:500] or None)
    assert time.perf_counter() - started < 0.05
    assert -1 <= text.sentiment <= 1
    assert text.chars >= len(body)
