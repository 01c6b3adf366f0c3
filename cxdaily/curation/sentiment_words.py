"""The sentiment lexicon: what :mod:`cxdaily.curation.sentiment` scores a text with.

A hand-kept lexicon in the spirit of VADER for English, Spanish, German and French:
each word has a valence from -3 (very negative) to +3 (very positive); negations flip
it, boosters ("very", "muy", "sehr", "très") strengthen it, and some words are neutral
alone but negative when negated ("not working", "no funciona", "funktioniert nicht",
"ne marche pas"). Phrases count as a whole ("thanks for nothing"), and the frustration
cues mark a customer let down before ("third message", "still no reply"). Every word is
stored in all its spellings (:func:`cxdaily.curation.lexicon.spellings`), and French
words also after an elided article ("l'erreur", "n'arrive").
"""

from __future__ import annotations

from cxdaily.curation.lexicon import declined, french, spellings, word_forms


def _valences(*groups: dict[float, str]) -> dict[bytes, float]:
    """Word (in all its spellings) -> valence, from groups of ``{valence: "words ..."}``."""
    table: dict[bytes, float] = {}
    for group in groups:
        for valence, words in group.items():
            for word in words.split():
                for form in spellings(word):
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
    + declined(
        "katastrophal schrecklich furchtbar unbrauchbar inakzeptabel unverschämt "
        "miserabel nutzlos grauenhaft"
    ),
    -2.5: "wütend scheiße mist " + declined("stinksauer entsetzt abgezockt"),
    -2.0: """
        fehler fehlermeldung fehlermeldungen absturz abstürze stürzt abgestürzt abstürzen
        enttäuschung verloren nervt genervt ärgert ignoriert
    """
    + declined(
        "kaputt defekt fehlerhaft ärgerlich enttäuscht enttäuschend frustrierend frustriert "
        "schlecht schlechter nervig unzuverlässig mangelhaft lächerlich unzufrieden "
        "peinlich sauer mies übel ätzend unfreundlich unprofessionell"
    ),
    -1.5: "verschwunden verschwinden verschwindet hängt beschwerde chaos ärger vertröstet "
    + declined("traurig unmöglich unlesbar blockiert"),
    -1.0: "problem probleme leider schade ewig gelöscht fehlt fehlen weh "
    + declined("langsam teuer verwirrend umständlich kompliziert unverständlich falsch"),
    -0.75: "dringend sofort umgehend notfall eskalieren eskalation "
    + declined("dringend kritisch"),
    -0.5: "plötzlich versprochen " + declined("veraltet altbacken"),
    1.0: "danke dank okay ok gelöst behoben erledigt klappt spare gespart zugehört besser "
    + declined("gut schnell stabil entspannt entspannter aufgeräumt übersichtlich geduldig klar"),
    1.5: "empfehlung empfehlen gefällt freue freut freude geschmiert cool "
    + declined(
        "schön schöner zufrieden praktisch hilfreich freundlich kompetent intuitiv "
        "zuverlässig erleichtert hilfsbereit"
    ),
    2.0: "super klasse prima spitze geil lob "
    + declined(
        "toll perfekt wunderbar wunderschön genial großartig best reibungslos einwandfrei "
        "dankbar empfehlenswert glücklich"
    ),
    2.5: declined("begeistert"),
    3.0: declined("hervorragend ausgezeichnet"),
}
_FRENCH = {
    -3.0: french(
        """
        horrible catastrophe catastrophique inacceptable inadmissible scandaleux
        scandaleuse honteux honte arnaque escroquerie inutilisable lamentable déplorable
        furieux furieuse
        """
    ),
    -2.5: french("nul nulle inutile pire merde insupportable scandale arnaqué arnaquée"),
    -2.0: french(
        """
        cassé cassée cassés plante plantage plantages déçu déçue déçus décevant
        décevante déception énervé énervée énervant mauvais mauvaise marre échoue échec
        échoué ridicule fâché fâchée mécontent mécontente insatisfait insatisfaite
        injoignable bordel
        """
    ),
    -1.5: french(
        """
        bug bugs bugue beugue perdu perdue perdus bloqué bloquée pénible agaçant agacé
        impossible plainte illisible galère incompréhensible
        """
    ),
    -1.0: french(
        """
        erreur erreurs problème problèmes lent lente lenteur malheureusement hélas
        inquiet raté réclamation supprimé supprimée supprimés supprimées disparu
        disparaissent disparaît manque manquent compliqué compliquée dommage inquiétant
        """
    ),
    -0.75: french("urgent urgente urgence immédiatement"),
    -0.5: french("soudain soudainement vieillot vieillotte promis"),
    1.0: french(
        "merci bien bon bonne rapide simple stable résolu résolue réglé réglée marche clair "
        "claire clairs claires écouté écoutez mieux"
    ),
    1.5: french(
        """
        top pratique utile utiles réactif réactifs contente recommande
        efficace agréable fluide sereines serein continuez nickel chouette intuitif
        intuitive sympa remercie aimable idéal plaisir fiable
        """
    ),
    2.0: french(
        """
        super génial géniale géniaux parfait parfaite parfaitement magnifique superbe
        superbes formidable bravo adore satisfait satisfaite satisfaits satisfaites ravi
        ravie ravis meilleur meilleure impeccable bluffant merveille merveilleux
        reconnaissant reconnaissante
        """
    ),
    3.0: french("excellent excellente"),
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
    word_forms(
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
    | word_forms(
        french(
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
NEGATIONS = word_forms(
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
ALONE = word_forms("nothing nada nichts rien silence crickets")

#: Negations that also follow the verb they negate ("funktioniert nicht", "marche pas").
NEGATIONS_AFTER = word_forms("nicht nie niemals pas jamais")

#: Words that make the next sentiment word stronger (x1.25) or weaker (x0.5).
BOOSTERS: dict[bytes, float] = {
    **dict.fromkeys(
        word_forms(
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
    **dict.fromkeys(
        word_forms("slightly somewhat kinda bit little poco algo etwas bisschen peu"), 0.5
    ),
}

#: Words after which the sentence counts more than before it ("great app, but ...").
CONTRASTS = word_forms("but however though although pero aunque aber jedoch allerdings mais")

Phrase = tuple[tuple[bytes, ...], float]


def _phrases(spec: str) -> dict[bytes, tuple[Phrase, ...]]:
    """``"a b = -2 | c d e = 1"`` as first word -> ((the words after it, valence), ...)."""
    table: dict[bytes, tuple[Phrase, ...]] = {}
    for item in spec.split("|"):
        phrase, valence = item.split("=")
        for form in spellings(" ".join(phrase.split())):
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
FRUSTRATED_WORDS = word_forms(
    """
    unacceptable ridiculous nobody ignored ignoring ignore chasing ghosted
    inakzeptabel inacceptable inaceptable frechheit unverschämt nadie niemand marre
    harto harta mehrmals zigmal viermal fünfmal
    """
)

#: Phrases of someone let down before, as (cue word, words that may follow it).
FRUSTRATION_FOLLOWERS: dict[bytes, frozenset[bytes]] = {
    **dict.fromkeys(
        word_forms("third fourth fifth 3rd 4th 5th"),
        word_forms("message messages time times email mail request attempt reply follow"),
    ),
    **dict.fromkeys(word_forms("tercera cuarta quinta"), word_forms("vez mensaje correo")),
    **dict.fromkeys(word_forms("tercer cuarto quinto"), word_forms("mensaje correo intento")),
    **dict.fromkeys(
        word_forms("dritte dritten vierte vierten fünfte"),
        word_forms("nachricht mail e mal anfrage"),
    ),
    **dict.fromkeys(
        word_forms("troisième quatrième cinquième"), word_forms("message fois mail relance")
    ),
    b"still": word_forms("no not nothing waiting broken nobody"),
    b"any": word_forms("update updates news"),
    b"fed": word_forms("up"),
    b"sick": word_forms("of"),
    b"sigo": word_forms("sin esperando"),
    b"alguna": word_forms("novedad noticia actualización"),
    b"noch": word_forms("keine kein keinen nichts"),
    b"toujours": word_forms("pas aucune aucun rien sans"),
    b"personne": word_forms("ne n'a n'est"),
}

#: ... and as (cue word, words that may come right before it): "been waiting".
FRUSTRATION_LEADERS: dict[bytes, frozenset[bytes]] = {
    b"waiting": word_forms("been still"),
    b"human": word_forms("one single"),
    **dict.fromkeys(
        (b"times", b"veces", b"fois"),
        word_forms(
            "several multiple many countless numerous four five six varias muchas cuatro cinco "
            "plusieurs maintes quatre cinq"
        ),
    ),
    b"esperando": word_forms("llevo sigo seguimos"),
    b"wieder": word_forms("schon"),
    b"reicht": word_forms("langsam jetzt mir"),
    b"reicht's": word_forms("langsam jetzt mir"),
    b"neuigkeiten": word_forms("es keine"),
    b"nouvelles": word_forms("des"),
}

#: Tokens that start or end one of those phrases.
FRUSTRATION_CUES = frozenset(FRUSTRATION_FOLLOWERS) | frozenset(FRUSTRATION_LEADERS)
