"""Word lists for the text signals: sentiment, frustration, requests, stop words.

A hand-kept lexicon in the spirit of VADER for English, Spanish, German and French:
each word has a valence from -3 (very negative) to +3 (very positive); negations flip
it, boosters ("very", "muy", "sehr", "très") strengthen it, and some words are neutral
alone but negative when negated ("not working", "no funciona", "funktioniert nicht",
"ne marche pas"). Every word is also stored in its ASCII-folded forms ("kündigung" ->
"kuendigung", "kundigung"; "déçu" -> "decu") and French words after an elided article
("l'erreur", "n'arrive"). Everything is stored as UTF-8 ``bytes`` because the tokenizer
works on bytes (see :mod:`cxdaily.curation.text`); :mod:`cxdaily.curation.sentiment`
does the scoring.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from cxdaily.core.services import CATALOGUE, SHORT_REPLY_SERVICES

_ELISIONS = ("l'", "d'", "j'", "m'", "n'", "s'", "t'", "c'", "qu'")


def _folded(word: str) -> Iterator[str]:
    """``word`` and its ASCII spellings: umlauts as ``ae``/``oe``/``ue`` and without
    accents; French words that start with a vowel also after an elided article."""
    forms = {word}
    if not word.isascii():
        forms.add(word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))
        stripped = unicodedata.normalize("NFKD", word.replace("ß", "ss"))
        forms.add("".join(c for c in stripped if not unicodedata.combining(c)))
    yield from forms


def _french(words: str) -> str:
    """French words plus their elided forms (``erreur`` -> ``l'erreur``, ``d'erreur``)."""
    out = []
    for word in words.split():
        out.append(word)
        if word[0] in "aeéèêiîouûh":
            out.extend(prefix + word for prefix in _ELISIONS)
    return " ".join(out)


def _declined(adjectives: str) -> str:
    """German adjectives with their endings (``gut`` -> ``gute``, ``guter``, ``gutes`` ...)."""
    return " ".join(
        a + end for a in adjectives.split() for end in ("", "e", "er", "es", "en", "em")
    )


def _words(text: str) -> frozenset[bytes]:
    return frozenset(form.encode() for word in text.split() for form in _folded(word))


def _valences(*groups: dict[float, str]) -> dict[bytes, float]:
    table: dict[bytes, float] = {}
    for group in groups:
        for valence, words in group.items():
            for word in words.split():
                for form in _folded(word):
                    table[form.encode()] = valence
    return table


_ENGLISH = {
    -3.0: """
        awful horrible terrible worst unacceptable outrageous disgusting furious scam fraud
        ripoff shakedown useless unusable appalling pathetic nightmare disaster lawsuit
        hate hated hates livid betrayed atrocious abysmal horrendous infuriating
        infuriated enraged disgraceful shameful incompetent incompetence horrid
    """,
    -2.5: "sucks crap shit garbage rubbish joke worthless trash",
    -2.0: """
        angry annoyed broken crash crashes crashed crashing disappointed disappointing
        disappointment frustrated frustrating frustration ridiculous lost losing lose
        loses fail fails failed failing failure wrong stuck bug bugs buggy buggier crashy
        ignored ignoring upset worse waste wasted dreadful painful poor flaky unreliable
        unhappy complaint complain complaining misleading overcharged corrupt corrupted
        outage wtf dead unbearable furiously mad rude unprofessional screwed fiasco
        embarrassing laughable shoddy sloppy
    """,
    -1.5: """
        annoying disappeared disappear disappears vanished unable impossible rejected
        denied overpriced ugh argh terribly alternatives glitchy blocker
        unreadable mess messed headache chaos sad shame regret lame junk unresponsive
    """,
    -1.0: """
        bad slow sluggish error errors missing problem problems issue issues confused
        confusing difficult hard lag lags laggy lagging stutter stutters stuttering
        spinning spins freezes freeze frozen blank delay delayed late expensive pricey
        sadly unfortunately worried worry worries concern concerned glitch glitches weird
        strange unclear invalid mismatch missed cumbersome clunky tedious hike duplicated
        sorry escalate escalated escalating escalation deleted incorrect inaccurate blocked
        hassle stopped refuses hurt hurts meh spam overwhelmed
    """,
    -0.75: "urgent urgently asap emergency immediately critical p1 sev1",
    -0.5: "loop tiny suddenly gone outdated dated promised blocking",
    1.0: """
        ok okay fine good nice helpful useful fast quick easy clear glad thanks thank thx
        appreciate appreciated cute neat solid kudos works reliable stable smooth handy
        better improved enjoy enjoyed finally easier saves recommend recommended welcome
        renewed clean cool listened patient patiently responsive professional worth
        polished
    """,
    1.5: """
        intuitive pleased impressed fixed sorted solved resolved saved friendly charm wow yay
        slick elegant breeze pleasure enjoying
    """,
    2.0: """
        great love loved loves loving lovely awesome excellent brilliant fantastic
        wonderful gorgeous perfect perfectly happy happier amazing superb best
        shoutout delighted beautiful incredible outstanding favourite favorite thrilled
        lifesaver legend genius easiest rocks seamless effortless delightful grateful
        thankful impressive nailed gem brilliantly woohoo
    """,
}
_SPANISH = {
    -3.0: """
        horrible pésimo pésima pésimos fatal desastre desastroso desastrosa vergüenza
        vergonzoso estafa timo inaceptable inútil inservible odio lamentable basura
        penoso indignante indignado indignada furioso furiosa asco horroroso pesadilla
    """,
    -2.5: "mierda harto harta hartos desesperante indignación robo engaño",
    -2.0: """
        roto rotos rotas fallo fallos falla fallan falló fallando error errores
        decepcionado decepcionada decepción decepcionante enfadado enfadada molesto
        molesta cabreado cabreada perdí perdido perdida perdidos perdidas borró borraron
        peor malo mala malísimo ridículo absurdo frustrante frustrado frustrada crashea
        desesperado desesperada abusivo engañoso descontento descontenta descontentos
    """,
    -1.5: """
        desapareció desaparecen desaparecieron cierra cuelga colgado bloqueado bloqueada
        bloquea queja reclamación reclamo lento lenta lentísima lentísimo imposible
        carísimo triste ilegible caos cansado cansada
    """,
    -1.0: """
        problema problemas caro duplican duplicados incorrecta incorrecto
        preocupado preocupada lamentablemente desgraciadamente demasiadas demasiados
        borrado borrados borradas faltan pesado pesada complicado complicada
        confuso confusa incómodo incómoda tardan duelen equivocada equivocado
    """,
    -0.75: "urgente urgentes urgentemente urgencia inmediatamente escalen escalar",
    -0.5: "repente anticuada anticuado prometieron prometido tarde",
    1.0: """
        gracias bueno buena buen buenos buenas bien rápido rápida rapidez fácil sencilla
        sencillo solucionado solucionada resuelto resuelta arreglado arreglada ahorrado
        ahorra funciona limpia limpio claro clara cómoda cómodo fluida fluido atentos
        escuchado gran
    """,
    1.5: """
        útil útiles mejor recomiendo contento contenta contentos contentas eficaz crack
        gusta gusto gustó agradezco agradecido agradecida agradecidos lujo chulo
        chula maja majo bonita bonito práctica práctico intuitiva intuitivo recomendable
        eficiente amable amables solucionaron top
    """,
    2.0: """
        genial perfecto perfecta encanta encantada encantado encantados encantan
        encantó maravilla maravilloso maravillosa precioso preciosa preciosos preciosas
        favorito feliz cracks estupendo estupenda increíble fenomenal imprescindible
        satisfecho satisfecha satisfechos facilísimo
    """,
    3.0: "excelente",
}
_GERMAN = {
    -3.0: "katastrophe betrug abzocke frechheit unverschämtheit hasse zumutung "
    + _declined(
        "katastrophal schrecklich furchtbar unbrauchbar inakzeptabel unverschämt "
        "miserabel nutzlos grauenhaft"
    ),
    -2.5: "wütend scheiße mist " + _declined("stinksauer entsetzt abgezockt"),
    -2.0: """
        fehler fehlermeldung fehlermeldungen absturz abstürze stürzt abgestürzt abstürzen
        enttäuschung verloren nervt genervt ärgert ignoriert
    """
    + _declined(
        "kaputt defekt fehlerhaft ärgerlich enttäuscht enttäuschend frustrierend frustriert "
        "schlecht schlechter nervig unzuverlässig mangelhaft lächerlich unzufrieden "
        "peinlich sauer mies übel ätzend unfreundlich unprofessionell"
    ),
    -1.5: "verschwunden verschwinden verschwindet hängt beschwerde chaos ärger vertröstet "
    + _declined("traurig unmöglich unlesbar blockiert"),
    -1.0: "problem probleme leider schade ewig gelöscht fehlt fehlen weh "
    + _declined("langsam teuer verwirrend umständlich kompliziert unverständlich falsch"),
    -0.75: "dringend sofort umgehend notfall eskalieren eskalation "
    + _declined("dringend kritisch"),
    -0.5: "plötzlich versprochen " + _declined("veraltet altbacken"),
    1.0: "danke dank okay ok gelöst behoben erledigt klappt spare gespart zugehört besser "
    + _declined("gut schnell stabil entspannt entspannter aufgeräumt übersichtlich geduldig klar"),
    1.5: "empfehlung empfehlen gefällt freue freut freude geschmiert cool "
    + _declined(
        "schön schöner zufrieden praktisch hilfreich freundlich kompetent intuitiv "
        "zuverlässig erleichtert hilfsbereit"
    ),
    2.0: "super klasse prima spitze geil lob "
    + _declined(
        "toll perfekt wunderbar wunderschön genial großartig best reibungslos einwandfrei "
        "dankbar empfehlenswert glücklich"
    ),
    2.5: _declined("begeistert"),
    3.0: _declined("hervorragend ausgezeichnet"),
}
_FRENCH = {
    -3.0: _french(
        """
        horrible catastrophe catastrophique inacceptable inadmissible scandaleux
        scandaleuse honteux honte arnaque escroquerie inutilisable lamentable déplorable
        furieux furieuse
        """
    ),
    -2.5: _french("nul nulle inutile pire merde insupportable scandale arnaqué arnaquée"),
    -2.0: _french(
        """
        cassé cassée cassés plante plantage plantages déçu déçue déçus décevant
        décevante déception énervé énervée énervant mauvais mauvaise marre échoue échec
        échoué ridicule fâché fâchée mécontent mécontente insatisfait insatisfaite
        injoignable bordel
        """
    ),
    -1.5: _french(
        """
        bug bugs bugue beugue perdu perdue perdus bloqué bloquée pénible agaçant agacé
        impossible plainte illisible galère incompréhensible
        """
    ),
    -1.0: _french(
        """
        erreur erreurs problème problèmes lent lente lenteur malheureusement hélas
        inquiet raté réclamation supprimé supprimée supprimés supprimées disparu
        disparaissent disparaît manque manquent compliqué compliquée dommage inquiétant
        """
    ),
    -0.75: _french("urgent urgente urgence immédiatement"),
    -0.5: _french("soudain soudainement vieillot vieillotte promis"),
    1.0: _french(
        "merci bien bon bonne rapide simple stable résolu résolue réglé réglée marche clair "
        "claire clairs claires écouté écoutez mieux"
    ),
    1.5: _french(
        """
        top pratique utile utiles réactif réactifs contente recommande
        efficace agréable fluide sereines serein continuez nickel chouette intuitif
        intuitive sympa remercie aimable idéal plaisir fiable
        """
    ),
    2.0: _french(
        """
        super génial géniale géniaux parfait parfaite parfaitement magnifique superbe
        superbes formidable bravo adore satisfait satisfaite satisfaits satisfaites ravi
        ravie ravis meilleur meilleure impeccable bluffant merveille merveilleux
        reconnaissant reconnaissante
        """
    ),
    3.0: _french("excellent excellente"),
}
_EMOJI = {
    -2.0: "😡 😠 🤬 👎 😤 💩",
    -1.0: "🙃 😞 😢 😩 😫 🙄 😒 😕 ☹️ 😣",
    1.0: "🙂 😊 🙏 ✨",
    2.0: "👍 😍 🥰 ❤️ ❤ 💕 💖 🙌 🎉 😀 😃 😄 😁 💯 🤩 ⭐ 👏",
}

#: Word -> valence, in the four languages (and emoji).
VALENCE: dict[bytes, float] = _valences(_ENGLISH, _SPANISH, _GERMAN, _FRENCH, _EMOJI)

#: Word -> valence when negated, for words that say little alone: "not working", "no
#: funciona", "funktioniert nicht", "ne marche pas", "no reply", "keine Antwort".
NEGATED: dict[bytes, float] = dict.fromkeys(
    _words(
        """
        work works worked working load loads loading open opens opening sync syncs
        syncing update updates updating refresh refreshes install installs start starts
        login log sign access connect arrive arrived arrives came come receive received
        send sent showing shown appear appears answer answers answered reply replies
        replied response respond responded help helped
        funciona funcionan funcionó carga cargan abre abren sincroniza actualiza llega
        llegan llegó contesta contestan contestado responde responden respuesta ayudan
        entrar acceder acceso iniciar creer
        funktioniert funktionieren funktionierte klappt klappen geht lädt laden startet
        öffnet öffnen synchronisiert aktualisiert aktualisieren angekommen ankommt
        antwort antworten antwortet meldet reagiert rückmeldung hilft geholfen
        verschickt zugestellt anmelden einloggen komme zugreifen zugriff
        """
    )
    | _words(
        _french(
            """
            marche marchent fonctionne fonctionnent chargent charger affiche répond
            répondent réponse arrive arrivent arrivons connecter accéder reçois reçu
            reçoit envoyé envoyés envoyée envoie ouvre synchronise
            """
        )
    ),
    -1.5,
)

#: Words that flip the valence of a sentiment word up to a few words after them (and the
#: French verbs that carry their own: "n'arrive", "n'ouvre").
NEGATIONS = _words(
    """
    not no never none nothing nobody neither nor without hardly barely cannot
    don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
    shouldn't haven't hasn't hadn't ain't dont doesnt didnt isnt wont cant couldnt
    nunca nada nadie ni sin tampoco ningún ninguna ninguno
    nicht kein keine keinen keinem keiner nie niemals nichts niemand
    ne pas jamais rien aucun aucune sans ni
    n'est n'a n'ai n'as n'y n'ont n'était n'avons n'avez n'en n'existe
    """
) | frozenset(word for word in NEGATED if word.startswith(b"n'"))

#: Words that, as a sentence of their own, are a complaint: "It's Thursday. Nothing."
ALONE = _words("nothing nada nichts rien silence crickets")

#: Negations that also follow the verb they negate ("funktioniert nicht", "marche pas").
NEGATIONS_AFTER = _words("nicht nie niemals pas jamais")

#: Words that make the next sentiment word stronger (x1.25) or weaker (x0.5).
BOOSTERS: dict[bytes, float] = {
    **dict.fromkeys(
        _words(
            """
            very really so extremely totally completely absolutely incredibly truly
            highly super too way huge massive mil riesigen riesige riesiger grand
            muy muchísimo muchisimo mucho tan súper totalmente completamente realmente
            demasiado
            sehr total völlig komplett echt wirklich extrem absolut ganz zu viel
            très vraiment trop tellement complètement totalement absolument hyper
            """
        ),
        1.25,
    ),
    **dict.fromkeys(_words("slightly somewhat kinda bit little poco algo etwas bisschen peu"), 0.5),
}

#: Words after which the sentence counts more than before it ("great app, but ...").
CONTRASTS = _words("but however though although pero aunque aber jedoch allerdings mais")

Phrase = tuple[tuple[bytes, ...], float]


def _phrases(spec: str) -> dict[bytes, tuple[Phrase, ...]]:
    """``"a b = -2 | c d e = 1"`` as first word -> ((the words after it, valence), ...)."""
    table: dict[bytes, tuple[Phrase, ...]] = {}
    for item in spec.split("|"):
        phrase, valence = item.split("=")
        for form in _folded(" ".join(phrase.split())):
            first, *rest = (word.encode() for word in form.split())
            table[first] = (*table.get(first, ()), (tuple(rest), float(valence)))
    return table


#: Phrases scored as a whole, by their first word ("thanks for nothing"). A first word
#: should be rare: every text with it is looked at more closely.
PHRASES = _phrases(
    """
    charged twice = -2 | double charged = -2 | thanks for nothing = -2.5
    | thank you for nothing = -2.5 | game changer = 2 | gracias por nada = -2.5
    | cobraron dos veces = -2 | danke für nichts = -2.5 | danke für gar nichts = -2.5
    | zweimal abgebucht = -2 | doppelt abgebucht = -2 | geld zurück = -1.5
    | gold wert = 2 | weiter so = 2
    | merci pour rien = -2.5 | n'importe quoi = -2 | prélevé deux fois = -2
    | débité deux fois = -2 | merci de votre = 1 | merci de vos = 1 | merci de = 0
    | thanks in advance = 0.5 | thank you in advance = 0.5 | merci d'avance = 0.5
    | danke im voraus = 0.5 | gracias de antemano = 0.5 | gracias por adelantado = 0.5
    | good morning = 0 | good afternoon = 0 | good evening = 0 | best regards = 0
    | best wishes = 0 | buenos días = 0 | buenas tardes = 0 | buenas noches = 0
    | buen día = 0 | guten tag = 0 | guten morgen = 0 | guten abend = 0
    | beste grüße = 0 | besten grüßen = 0 | bien cordialement = 0 | bien à vous = 0
    | una pasada = 2 | bonne journée = 0 | bonne soirée = 0 | bon week = 0 | bon de = 0
    | bon d'achat = 0 | ras le bol = -2 | freundlichen grüßen = 0 | freundliche grüße = 0
    | good work = 2 | nice work = 2 | great work = 2.5 | good job = 2 | nice job = 2
    | great job = 2.5 | gute arbeit = 2 | tolle arbeit = 2.5 | buen trabajo = 2
    | gran trabajo = 2.5 | bon travail = 2 | beau travail = 2 | schöne grüße = 0
    | schönen gruß = 0 | schönes wochenende = 0 | schönen tag = 0 | toll free = 0
    | best way = 0 | best practice = 0 | best practices = 0 | love to = 0.5 | happy to = 1
    | mejor manera = 0 | mejor forma = 0 | gran parte = 0 | gran cantidad = 0
    | más tarde = 0 | esta tarde = 0 | muy mal = -2 | funciona mal = -1.5 | va mal = -1.5
    | está mal = -1 | am besten = 0 | besten dank = 1 | hängt davon = 0 | hängt von = 0
    | meilleur moyen = 0 | meilleure façon = 0 | meilleure manière = 0 | très mal = -2
    | fonctionne mal = -1.5 | marche mal = -1.5 | pas mal = 0.75 | content de = 1.5
    | suis content = 1.5 | sommes contents = 1.5 | très content = 2 | très contents = 2
    | pas content = -2 | pas contents = -2
    """
)

#: Words that on their own mark a customer who has been let down.
FRUSTRATED_WORDS = _words(
    """
    unacceptable ridiculous nobody ignored ignoring ignore chasing ghosted
    inakzeptabel inacceptable inaceptable frechheit unverschämt nadie niemand marre
    harto harta mehrmals zigmal viermal fünfmal
    """
)

#: Phrases of someone let down before, as (cue word, words that may follow it).
FRUSTRATION_FOLLOWERS: dict[bytes, frozenset[bytes]] = {
    **dict.fromkeys(
        _words("third fourth fifth 3rd 4th 5th"),
        _words("message messages time times email mail request attempt reply follow"),
    ),
    **dict.fromkeys(_words("tercera cuarta quinta"), _words("vez mensaje correo")),
    **dict.fromkeys(_words("tercer cuarto quinto"), _words("mensaje correo intento")),
    **dict.fromkeys(
        _words("dritte dritten vierte vierten fünfte"), _words("nachricht mail e mal anfrage")
    ),
    **dict.fromkeys(_words("troisième quatrième cinquième"), _words("message fois mail relance")),
    b"still": _words("no not nothing waiting broken nobody"),
    b"any": _words("update updates news"),
    b"fed": _words("up"),
    b"sick": _words("of"),
    b"sigo": _words("sin esperando"),
    b"alguna": _words("novedad noticia actualización"),
    b"noch": _words("keine kein keinen nichts"),
    b"toujours": _words("pas aucune aucun rien sans"),
    b"personne": _words("ne n'a n'est"),
}

#: ... and as (cue word, words that may come right before it): "been waiting".
FRUSTRATION_LEADERS: dict[bytes, frozenset[bytes]] = {
    b"waiting": _words("been still"),
    b"human": _words("one single"),
    **dict.fromkeys(
        (b"times", b"veces", b"fois"),
        _words(
            "several multiple many countless numerous four five six varias muchas cuatro cinco "
            "plusieurs maintes quatre cinq"
        ),
    ),
    b"esperando": _words("llevo sigo seguimos"),
    b"wieder": _words("schon"),
    b"reicht": _words("langsam jetzt mir"),
    b"reicht's": _words("langsam jetzt mir"),
    b"neuigkeiten": _words("es keine"),
    b"nouvelles": _words("des"),
}

#: Tokens that start or end one of those phrases.
FRUSTRATION_CUES = frozenset(FRUSTRATION_FOLLOWERS) | frozenset(FRUSTRATION_LEADERS)

#: Watch keywords (``[curation] watch_keywords``) in the other languages: a match counts
#: as the English keyword ("Kündigung" is ``keyword: cancel``). Matched as written.
KEYWORD_TRANSLATIONS: dict[str, tuple[str, str]] = {
    "cancel": (
        "kündigen kündige kündigt kündigung kündigungen gekündigt cancelar cancelo "
        "cancelación cancelaré cancelado canceló résilier résilie résiliation résilié "
        "résiliée désabonner " + _french("annuler annule annulation annulé"),
        "darme de baja|dar de baja|darnos de baja|darse de baja|doy de baja",
    ),
    "refund": (
        "rückerstattung erstattung erstatten zurückerstatten reembolso reembolsar "
        "devolución remboursement rembourser remboursé remboursée",
        "geld zurück|devuelvan el dinero|devolver el dinero",
    ),
    "lawyer": ("anwalt anwältin rechtsanwalt abogado abogada " + _french("avocat avocate"), ""),
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
        yield from _folded(item)


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

#: Channel kinds (and demo services) by customer segment, for the coverage signal (read
#: from the service catalogue, :mod:`cxdaily.core.services`).
SEGMENTS: dict[str, str] = {key: entry.segment for key, entry in CATALOGUE.items()}

#: Kinds whose replies are short posts: quicker to answer than a help-desk ticket.
SHORT_REPLY_KINDS = SHORT_REPLY_SERVICES
