"""Word lists for the text signals, and the spellings every word list is stored in.

- :func:`spellings`: a word and its ASCII-folded forms ("kündigung" -> "kuendigung",
  "kundigung"; "déçu" -> "decu"); :func:`french` adds French words after an elided
  article ("l'erreur", "n'arrive"); :func:`declined` gives German adjectives their
  endings; :func:`word_forms` is a text's words in all those forms, as UTF-8 ``bytes``
  (the tokenizer works on bytes, see :mod:`cxdaily.curation.text`);
- the lists: watch keywords in other languages (:data:`KEYWORD_TRANSLATIONS`), words
  that ask for something (:data:`REQUEST_CUES`), stop words of four languages
  (:data:`STOPWORDS`), and the segments and short-reply kinds of the service catalogue.

The sentiment words (valences, negations, boosters, phrases, frustration) are in
:mod:`cxdaily.curation.sentiment_words`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from cxdaily.core.services import CATALOGUE, SHORT_REPLY_SERVICES

_ELISIONS = ("l'", "d'", "j'", "m'", "n'", "s'", "t'", "c'", "qu'")


def fold_accents(word: str) -> str:
    """``word`` without accents (``envío`` -> ``envio``, ``ß`` -> ``ss``)."""
    decomposed = unicodedata.normalize("NFKD", word.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spellings(word: str) -> Iterator[str]:
    """``word`` and its ASCII spellings: umlauts as ``ae``/``oe``/``ue`` and without
    accents (each once, always in this order: tables built from them are the same in
    every run)."""
    forms = [word]
    if not word.isascii():
        forms.append(
            word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        )
        forms.append(fold_accents(word))
    yield from dict.fromkeys(forms)


def french(words: str) -> str:
    """French words plus their elided forms (``erreur`` -> ``l'erreur``, ``d'erreur``)."""
    out = []
    for word in words.split():
        out.append(word)
        if word[0] in "aeéèêiîouûh":
            out.extend(prefix + word for prefix in _ELISIONS)
    return " ".join(out)


def declined(adjectives: str) -> str:
    """German adjectives with their endings (``gut`` -> ``gute``, ``guter``, ``gutes`` ...)."""
    return " ".join(
        a + end for a in adjectives.split() for end in ("", "e", "er", "es", "en", "em")
    )


def word_forms(text: str) -> frozenset[bytes]:
    """Every word of ``text`` in all its :func:`spellings`, as UTF-8 bytes."""
    return frozenset(form.encode() for word in text.split() for form in spellings(word))


#: Watch keywords (``[curation] watch_keywords``) in the other languages: a match counts
#: as the English keyword ("Kündigung" is ``keyword: cancel``). Matched as written.
KEYWORD_TRANSLATIONS: dict[str, tuple[str, str]] = {
    "cancel": (
        "kündigen kündige kündigt kündigung kündigungen gekündigt cancelar cancelo "
        "cancelación cancelaré cancelado canceló résilier résilie résiliation résilié "
        "résiliée désabonner " + french("annuler annule annulation annulé"),
        "darme de baja|dar de baja|darnos de baja|darse de baja|doy de baja",
    ),
    "refund": (
        "rückerstattung erstattung erstatten zurückerstatten reembolso reembolsar "
        "devolución remboursement rembourser remboursé remboursée",
        "geld zurück|devuelvan el dinero|devolver el dinero",
    ),
    "lawyer": ("anwalt anwältin rechtsanwalt abogado abogada " + french("avocat avocate"), ""),
    "legal": ("rechtlich rechtliche rechtlichen legales juridique juridiques", ""),
    "chargeback": ("rückbuchung rücklastschrift contracargo rétrofacturation", ""),
    "data loss": ("datenverlust", "pérdida de datos|perte de données|daten verloren"),
    "gdpr": ("dsgvo rgpd", ""),
    "outage": ("ausfall störung caída panne", ""),
    "broken": ("kaputt defekt roto cassé cassée", ""),
    "switching to": ("", "wechseln zu|wechsle zu|umsteigen auf|cambiarme a"),
}


def keyword_translations(keyword: str) -> Iterable[str]:
    """The words and phrases in other languages that count as ``keyword`` (folded too)."""
    words, phrases = KEYWORD_TRANSLATIONS.get(keyword.strip().lower(), ("", ""))
    for item in (*words.split(), *(p for p in phrases.split("|") if p)):
        yield from spellings(item)


#: Tokens that ask for something even without a question mark.
REQUEST_CUES = word_forms(
    """
    please pls plz help fix asap urgent advise confirm need needs
    bitte hilfe dringend aide urgent svp ayuda urgente favor
    """
)

#: Words too common to tell one topic from another (after lower-casing).
STOPWORDS = word_forms(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves i'm i've i'd i'll it's that's there's
    we're we've you're don't doesn't didn't isn't can't won't let's what's here's
    hi hello hey dear thanks thank regards cheers team support get got one two
    yes ok okay lol just like really still even much many every ever since way
    know think want wanted see say said tell told go going make made use used using
    day days week weeks today yesterday morning now time times thing things
    etc via per re fwd fw
    new old first last next another anyone anything anybody something someone everyone
    everything nothing else whole able around across back keep keeps kept take takes
    took taking try tried trying seem seems seemed look looks looking looked set sets
    work works worked working need needs needed point change changed put puts give gave
    come comes came find found makes made actually basically also already maybe probably
    haven't hasn't hadn't wasn't weren't aren't couldn't wouldn't shouldn't i've you've
    we'll they're they've it'd that'll there're who's
    der die das und ist nicht ich sie wir ein eine mit für auf den dem des zu von im
    le la les et est pas je vous nous un une des du de pour dans sur avec que qui
    el los las y es no yo un una por para con que en del al lo se
    """
)

#: Channel kinds (and demo services) by customer segment, for the coverage signal (read
#: from the service catalogue, :mod:`cxdaily.core.services`).
SEGMENTS: dict[str, str] = {key: entry.segment for key, entry in CATALOGUE.items()}

#: Kinds whose replies are short posts: quicker to answer than a help-desk ticket.
SHORT_REPLY_KINDS = SHORT_REPLY_SERVICES
