"""Word lists for the text signals: sentiment, frustration, requests, stop words.

A small, hand-kept lexicon in the spirit of VADER: each word has a valence from -3
(very negative) to +3 (very positive). English carries most of it, with the commonest
words of German, French and Spanish so a complaint in those languages still registers.
Everything is stored as UTF-8 ``bytes`` because the tokenizer works on bytes (see
:mod:`cxdaily.curation.text`).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[bytes]:
    return frozenset(word.encode() for word in text.split())


def _valences(groups: dict[float, str]) -> dict[bytes, float]:
    table: dict[bytes, float] = {}
    for valence, words in groups.items():
        for word in words.split():
            table[word.encode()] = valence
    return table


#: Word -> valence. Negative words outnumber positive ones on purpose: the engine looks
#: for trouble; praise only keeps a thank-you from being read as a complaint.
VALENCE: dict[bytes, float] = _valences(
    {
        -3.0: """
            awful horrible terrible worst unacceptable outrageous disgusting furious
            scam fraud ripoff shakedown useless unusable appalling pathetic
            nightmare disaster lawsuit hate hated livid betrayed
            inakzeptabel schrecklich katastrophe betrug inacceptable horrible arnaque
            inaceptable horrible estafa pésimo pesimo
        """,
        -2.0: """
            angry annoyed broken crash crashes crashed crashing disappointed disappointing
            frustrated frustrating frustration ridiculous lost losing fails failed failing
            failure wrong stuck bug buggy buggier ignored ignoring upset worse waste
            wasted garbage rubbish dreadful painful poor flaky unreliable unhappy
            complaint complain complaining misleading overcharged charged twice
            kaputt ärgerlich enttäuscht fehler frustrierend
            déçu decu cassé casse problème probleme bug
            decepcionado roto problema fallo
        """,
        -1.0: """
            bad slow sluggish error errors missing problem problems issue issues
            confused confusing difficult hard annoying lag lags laggy stutter stutters
            spinning spins freezes frozen blank gone delay delayed late outdated dated
            expensive pricey sadly unfortunately worried concern concerned tiny
            langsam leider lent lente tarde caro
        """,
        1.0: """
            ok okay fine good nice works helpful useful fast quick easy clear glad
            thanks thank appreciate appreciated cute neat solid fixed sorted solved
            resolved kudos
            gut danke merci bien bueno gracias
        """,
        2.0: """
            great love loved lovely awesome excellent brilliant fantastic wonderful
            gorgeous perfect happy amazing superb best finally saved shoutout
            toll super génial genial excelente
        """,
    }
)

#: Words that flip the valence of a sentiment word up to three words after them.
NEGATIONS = _words(
    """
    not no never none nothing nobody neither nor without hardly barely cannot
    don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
    shouldn't haven't hasn't hadn't ain't dont doesnt didnt isnt wont cant couldnt
    nicht kein keine nie pas jamais ni sin nunca
    """
)

#: Words that on their own mark a customer who has been let down.
FRUSTRATED_WORDS = _words(
    """
    unacceptable ridiculous nobody ignored ignoring ignore chasing ghosted
    inakzeptabel inacceptable inaceptable
    """
)

#: Phrases of someone let down before, as (cue word, words that may follow it).
FRUSTRATION_FOLLOWERS: dict[bytes, frozenset[bytes]] = {
    **dict.fromkeys(
        (b"third", b"fourth", b"fifth", b"3rd", b"4th", b"5th"),
        _words("message messages time times email mail request attempt reply follow"),
    ),
    b"still": _words("no not nothing waiting broken nobody"),
    b"fed": _words("up"),
    b"sick": _words("of"),
}

#: ... and as (cue word, words that may come right before it): "been waiting".
FRUSTRATION_LEADERS: dict[bytes, frozenset[bytes]] = {
    b"waiting": _words("been still"),
    b"human": _words("one single"),
}

#: Tokens that start or end one of those phrases.
FRUSTRATION_CUES = frozenset(FRUSTRATION_FOLLOWERS) | frozenset(FRUSTRATION_LEADERS)

#: Tokens that ask for something even without a question mark.
REQUEST_CUES = _words(
    """
    please pls plz help fix asap urgent advise confirm need needs
    bitte hilfe dringend aide urgent svp ayuda urgente favor
    """
)

#: Words too common to tell one topic from another (after lower-casing).
STOPWORDS = _words(
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

#: Channel kinds (and demo services) by customer segment, for the coverage signal.
SEGMENTS: dict[str, str] = {
    **dict.fromkeys(("zendesk", "freshdesk", "helpscout", "intercom", "front"), "help desk"),
    **dict.fromkeys(
        ("x", "mastodon", "bluesky", "reddit", "facebook", "instagram", "youtube"), "social"
    ),
    **dict.fromkeys(("discourse", "khoros", "wordpress", "github"), "community"),
    **dict.fromkeys(("email", "imap"), "email"),
    **dict.fromkeys(("app_store", "google_play"), "reviews"),
}

#: Kinds whose replies are short posts: quicker to answer than a help-desk ticket.
SHORT_REPLY_KINDS = frozenset(
    ("x", "mastodon", "bluesky", "instagram", "youtube", "facebook", "app_store", "google_play")
)
