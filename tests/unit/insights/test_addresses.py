"""Street addresses written name first (Spanish, Catalan, Italian, Portuguese), as one
compound word (German, Dutch, Nordic) or after a name in the genitive (Norwegian, Danish,
Swedish) are masked; prose with a street word and a number
is not; no address pattern backtracks on long hostile text."""

from __future__ import annotations

import time

import pytest

from cxdaily.insights.redact import ADDRESS_MASK, redact_text, redact_texts

MASK = ADDRESS_MASK


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Calle Mayor 12", MASK),
        ("Envíalo a C/ Mayor 12, 3ºB, Madrid", f"Envíalo a {MASK}, Madrid"),
        ("C/Mayor 12", MASK),
        ("Calle de Alcalá 50, 2º 1ª", MASK),
        ("Carrer de Mallorca 401, Barcelona", f"{MASK}, Barcelona"),
        ("Via Roma 5", MASK),
        ("abito in Via dell'Indipendenza 5, Bologna", f"abito in {MASK}, Bologna"),
        ("Via XX Settembre 20", MASK),
        ("Viale Monza 112", MASK),
        ("viale Monza 112", MASK),
        ("Via Roma n. 5", MASK),
        ("Rua Augusta 100", MASK),
        ("Rua Augusta, 100", MASK),
        ("Rua do Ouro 25, 2º Esq.", MASK),
        ("Avenida da Liberdade 245", MASK),
        ("Av. Paulista 1578", MASK),
        ("Hauptstraße 5", MASK),
        ("Berliner Straße 5, Berlin", f"{MASK}, Berlin"),
        ("Kerkstraat 12", MASK),
        ("Prinsengracht 263", MASK),
        ("Storgatan 3", MASK),
        ("Drottninggatan 71A", MASK),
        ("Nørregade 12", MASK),
        ("5 via Roma", MASK),
        ("Karl Johans gate 1, 0162 Oslo", f"{MASK}, 0162 Oslo"),
        ("bor i Kongens gate 10", f"bor i {MASK}"),
        ("Thorvald Meyers gate 5B", MASK),
        ("Ole Vigs vei 8 B, Oslo", f"{MASK}, Oslo"),
        ("Sankt Eriks gata 5", MASK),
        ("Dronning Louises vej 3", MASK),
        # the number ends the address: the word after it keeps its space
        ("Hauptstraße 5 Berlin", f"{MASK} Berlin"),
        ("Karl Johans gate 1 Oslo", f"{MASK} Oslo"),
    ],
)
def test_addresses_written_name_first_or_as_one_word_are_masked(text, shown):
    assert redact_text(text) == shown
    assert redact_texts([text]) == [shown]


@pytest.mark.parametrize(
    "text",
    [
        "We asked via email 3 times",
        "we got 2 via email",
        "Upgraded via Chrome 120 today",
        "It broke in version 5",
        "Stuck on the road 2 weeks",
        "the calle 12 of them",
        "Plaza Mayor 3 times a week",
        "a cascade 3 times over",
        "navigate 3 screens",
        "It took 5 minutes drive",
        "Corso 2 starts in March",
        "Departures Gate 12 was closed",
        "the visitors gate 3 opens at noon",
    ],
)
def test_prose_with_a_street_word_and_a_number_is_kept(text):
    assert redact_text(text) == text
    assert redact_texts([text]) == [text]


HOSTILE = (
    "Calle " * 20_000,
    "Calle Mayor " * 10_000 + "x",
    "C/ " * 40_000,
    "Via de la " * 12_000,
    "Via " + "Roma " * 25_000 + "5",
    "Hauptstraße" * 10_000 + " 5",
    "a" * 100_000 + "straße 5",
    "x-" * 50_000 + "weg 5",
    "Kerk-straat " * 10_000,
    "Karl Johans " * 10_000 + "gate x",
    "A" + "s" * 100_000 + " gate",
    "1 " * 50_000 + "rue",
    "5 via " * 20_000,
    "Plaza A" + "'" * 100_000 + " 1",
)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_long_hostile_text_is_searched_in_linear_time(text):
    started = time.perf_counter()
    redact_text(text)
    redact_texts([text, text])
    assert time.perf_counter() - started < 2.0
