"""Comparable keys of topic terms, across languages: what near-duplicates compare.

Each topic term becomes a key (:func:`term_key`, cached): accents folded, French
elisions and light English inflections stripped (``crashed``, ``crashes`` -> ``crash``),
and the words of a small map (:data:`SYNONYMS`) put in one English word: Spanish, German
and French support words (``reembolso``, ``Rückerstattung``, ``remboursement`` ->
``refund``) and English variants (``gone``, ``disappeared`` -> ``missing``). One
complaint in two languages then shares keys, as it shares its codes, numbers and product
names. Junk is no key: control and format characters, runs of one or two letters
(``aaaa``, ``hahaha``), emoji and punctuation, placeholder text (``lorem ipsum``), stop
words of four languages. Words that frame many different questions
(:data:`GENERIC_WORDS`) have keys, listed in :data:`GENERIC_KEYS`, that
:mod:`cxdaily.curation.dedupe` weighs less.
"""

from __future__ import annotations

from collections.abc import Collection

from cxdaily.curation.lexicon import STOPWORDS, fold_accents

#: Longer terms are not words (a hash, a run of letters): no key.
MAX_KEY_CHARS = 32
#: Keys cached across calls (terms repeat from one curation to the next).
CACHE_LIMIT = 200_000


def _words(text: str) -> frozenset[str]:
    """The words of a text block (a word list kept readable)."""
    return frozenset(text.split())


def _table(text: str) -> dict[str, str]:
    """``english: other words ...`` entries (``;`` or a line apart) as word -> English."""
    table: dict[str, str] = {}
    for entry in text.replace("\n", ";").split(";"):
        english, _, words = entry.partition(":")
        table.update(dict.fromkeys(words.split(), english.strip()))
    return table


#: Spanish, German and French support words (accents folded), and English variants, as
#: one English word each. Kept small: the words customers use for the same complaint.
SYNONYMS = _table(
    """
    refund: reembolso reembolsar devolucion devolver devuelvan devuelvanme rembourser
    refund: remboursement rembourse ruckerstattung erstattung erstatten erstattet
    charge: cobrar cobro cobrado cobraron cargo abgebucht belastet berechnet kassieren
    charge: preleve debite billed bill
    payment: pago pagar paiement payer zahlung zahlungen bezahlung zahlungsmethode
    payout: auszahlung auszahlungen versement
    invoice: factura facture rechnung rechnungen handelsrechnung rechnungsnummer rechnungsnummern
    order: pedido pedi bestellung commande ordered; account: cuenta konto kundenkonto compte
    password: contrasena passwort kennwort passe
    reset: restablecer zurucksetzen reinitialisation reinitialiser; email: correo mail courriel
    login: log logon signin sign signed logout anmelden einloggen anmeldung connexion sesion
    crash: absturz absturzen sturzt abgesturzt plante planter plantage crashea
    open: abrir offnen ouvrir ouvre inicio demarrage startup launch
    delete: borrar eliminar loschen supprimer effacer erase remove removed
    data: datos daten donnees; personal: personales personlichen personnelles
    customer: cliente kunde kunden client shopper buyer
    ship: envio enviar versand livraison expedition entrega lieferung deliver delivery
    ship: shipment; parcel: paquete paket colis package
    price: precio preis prix coste cuesta costo kosten cout cost; fee: comision gebuhr frais
    card: tarjeta karte carte; reader: lector lesegerat lecteur
    label: etiqueta etikett etiketten etiquette; print: imprimir drucken imprimer
    discount: descuento rabatt rabattcode remise reduction coupon
    invalid: invalido ungultig invalide; valid: valido gultig gultiger
    subscription: suscripcion abonnement abo
    cancel: cancelar cancelen cancelado cancela kundigen kundigung stornieren annuler annule
    cancel: annulez cancell; item: articulo artikel
    arrive: recibido recibir erhalten recu receive received reach reaching llega ankommen
    damag: danado beschadigt endommage; broken: roto zerbrochen kaputt casse
    replacement: ersatz reemplazo remplacement; photo: foto fotos imagen bild image picture pic
    mug: taza tasse cup; blue: azul blau bleu bleue; green: verde grun vert verte
    company: empresa unternehmen firma entreprise societe business; name: nombre nom
    address: direccion adresse; product: producto produkt produit
    inventory: inventario lagerbestand bestand stock
    sync: sincronizar synchronisiert synchronisieren synchroniser bestandssync
    sale: venta verkauf vente; cash: efectivo bargeld especes; tip: propina trinkgeld pourboire
    checkout: kasse caja; pos: tpv; tax: impuesto steuer taxe iva tva
    vat: mwst ust ustidnr umsatzsteuer; number: numero nummer; free: gratis gratuit kostenlos
    market: mercado mercadillo markt marche; twice: zweimal doble duplicate duplicated double
    install: instalar installieren installer installiert reinstall reinstalar
    debit: lastschrift lastschriften prelevement domiciliacion
    notification: notificacion benachrichtigung push alert
    connect: conectar verbinden; offline: desconectado
    spain: espana spanien espagne spanish espanol espanoles spanisch espagnol
    switzerland: suiza schweiz suisse swiss suizo suizos schweizer
    germany: alemania deutschland allemagne german aleman alemanes deutsch allemand
    france: francia frankreich french frances franzosisch francais; customs: aduana zoll douane
    weekly: semanal wochentlich hebdomadaire; error: fehler erreur fallo
    problem: problema probleme issue; update: actualizacion aktualisierung mise
    page: pagina seite; say: dice sagt dit; help: ayuda hilfe aide
    app: aplicacion anwendung application; shop: tienda laden boutique magasin store
    missing: gone disappear disappeared vanish vanished fehlt falta manque
    freeze: freezes frozen hang hangs unresponsive
    slow: sluggish forever lag laggy lento langsam lent; buy: purchase purchased bought
    admin: dashboard backend; doc: docs documentation guide article tutorial
    disconnect: disconnects disconnected drop drops dropping
    week: semana semanas woche wochen semaine semaines; day: dia dias tage jour jours
    month: mes meses monat monate mois; january: enero januar janvier
    february: febrero februar fevrier; march: marzo marz mars; april: abril avril; may: mayo mai
    june: junio juni juin; july: julio juli juillet; august: agosto aout
    september: septiembre septembre; october: octubre oktober octobre
    november: noviembre novembre; december: diciembre dezember decembre
    message: mensaje nachricht; hold: retenido retenidos retenu bloque gesperrt
    review: revision prufung; method: metodo methode; add: anadir agregar hinzufugen ajouter
    ask: piden pedir preguntar fragen demander; see: veo ver sehe voir vois
    want: quiero quieren mochte veux voudrais; next: proximo nachste prochain prochaine
    coffee: cafe kaffee; support: soporte unterstutzt unterstutzen soutenez
    show: aparece muestra zeigt affiche; complete: completado abgeschlossen termine
    tap: tippe tippen toque appuie; two: dos zwei deux; impossible: imposible unmoglich
    second: segundo segundos sekunde sekunden seconde secondes; endpoint: endpunkt
    increase: erhohen aumentar augmenter; fail: fehlgeschlagen fallido falla echoue echec
    currency: devise moneda divisa wahrung; change: changer cambiar andern
    light: luz licht lumiere; holiday: feriado ferie feiertag
    return: renvoyer renvoye retour devuelto zuruckgeschickt zurucksenden
    cart: carrito panier warenkorb; uk: british britisch britanique britanico
    required: mandatory obligatory obligatorio obligatoire erforderlich pflichtfeld
    setting: einstellung einstellungen ajuste ajustes parametre parametres
    enable: aktiviert activado active enabled; login: connecter; slow: infini ewig
    """
)

#: Words that frame many different questions: their keys weigh less (see
#: :data:`cxdaily.curation.dedupe.GENERIC_WEIGHT`).
GENERIC_WORDS = _words(
    """
    page say update app problem error help question please fix broken wrong happen anymore
    cannot unable customer shop ticket hello quick urgent asap possible show set setting option
    version latest recent stop start suddenly sorry idea weird strange bad good great love nice
    annoying frustrating terrible awful hate thank screenshot attach attachment restart reboot
    cache cookie incognito browser http https www com hour minute month year tonight everyone
    anybody guy folk really pls plz thx sent anyone someone since still again test testing post
    ignore reply answer wait waiting chat chase chasing follow morning weekend monday tuesday
    wednesday thursday friday saturday sunday something went nothing anything everything news
    long time complain complained never operational system status matin manana morgen hope well
    inquiry enquiry message
    """
)

#: Placeholder text and keyboard mashing: no key at all.
PLACEHOLDERS = _words(
    """
    lorem ipsum dolor sit amet consectetur adipiscing elit sed eiusmod tempor incididunt labore
    dolore magna aliqua asdf asdfgh qwerty qwertz azerty foo baz xxx yyy zzz
    """
)

#: Function words the shared stop words leave out (most of them Spanish, German, French).
EXTRA_STOPWORDS = _words(
    """
    though although yet without within onto upon whether either instead ever quite rather
    almost always anyway however unless due three four five six seven eight nine ten half
    several lot lots bit ago mi mis su sus tu muy ya pero como mas desde hace todavia cuando
    este esta esto estos sin hay estan estoy he han has ha fue ser son tengo tiene tienen puede
    puedo nuestro nuestros nuestra nuestras vuestro vuestra ni o u si porque donde cuanto hola
    buenas tardes gracias favor sehr aber auch noch nur mein meine meinen meiner meinem unser
    unsere unseren wird werden wurde wurden kann konnen seit bei beim hat haben habe sind bin
    es um wenn dass oder ihr ihre ihnen euch uns mir mich dir du man laut bis aus nach vor uber
    ohne jedes jede jeder alle allen immer schon mal da wie was wo warum sollte letzten letzte
    mehr keine keinen kein gibt geht ging bitte hallo guten danke ne mon ma mes notre nos votre
    vos sont ai avons avez ont plus mais aussi tres tout tous toutes depuis quand ce cette ces
    il elle ils y en au aux sa son ses leur etre avoir fait chez ou rien encore toujours meme
    pouvez pourriez jamais bonjour merci salut bonsoir
    """
)

_NOT_KEYS = PLACEHOLDERS | EXTRA_STOPWORDS
_EDGES = ".'\"!?¿¡«»…“”‘’()"
_UNDOUBLE = frozenset("bdgmnprt")
_INFLECTIONS = ("en", "er", "es", "em", "os", "as")
_key_cache: dict[bytes, bytes] = {}  # term -> key, b"" for no key


def _stem(word: str) -> str:
    """A light English stem: plural, ``-ed``, ``-ing`` and a final ``e`` removed."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ee") and len(word) > 5:
        word = word[:-1]  # French past participle: arrivee -> arrive
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    stem = word
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
    elif word.endswith(("ed", "es")) and len(word) > 4 and not word.endswith("sses"):
        stem = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        stem = word[:-1]
    if stem is not word:
        if not any(c in "aeiouy" for c in stem):
            return word  # string, bring: not an inflection
        if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in _UNDOUBLE:
            stem = stem[:-1]  # shipped -> ship, logged -> log
    if len(stem) > 3 and stem.endswith("e"):
        stem = stem[:-1]  # update, updated, updating -> updat
    return stem


def _english(word: str) -> str:
    """The English word of :data:`SYNONYMS` for ``word`` (or for it without a plural or
    an adjective ending: ``pagos``, ``factures``, ``deutschen``), or ``word`` itself."""
    found = SYNONYMS.get(word)
    if found is None and len(word) > 5 and word.endswith(_INFLECTIONS):
        found = SYNONYMS.get(word[:-1]) or SYNONYMS.get(word[:-2])
    elif found is None and len(word) > 4 and word[-1] == "s":
        found = SYNONYMS.get(word[:-1])
    return word if found is None else SYNONYMS.get(found, found)


def _make_key(term: bytes | str) -> bytes:
    """The key of one term (b"" for none); a ``str`` term is taken as well."""
    word = (term if isinstance(term, str) else term.decode("utf-8", "replace")).strip(_EDGES)
    if not word or len(word) > MAX_KEY_CHARS or not word.isprintable():
        return b""  # control or format characters, a run of letters: not a word
    if "'" in word:
        if word[1:2] == "'" and word[0] in "cdjlmnst":
            word = word[2:]  # French elision: l'email, n'arrive
        elif word.startswith("qu'"):
            word = word[3:]
        if word.endswith("'s"):
            word = word[:-2]
    if not word.isascii():
        word = fold_accents(word)
    if not word.isalpha():
        if any(c.isdigit() for c in word):  # a code, a version, a number: as written
            return word.encode() if len(word) > 2 or not word.isdigit() else b""
        if not any(c.isalpha() for c in word):
            return b""  # emoji, punctuation
    if len(word) < 2 or (len(word) > 4 and len(set(word)) <= 2):
        return b""  # aaaa, hahaha, lololo
    if word in _NOT_KEYS or word.encode() in STOPWORDS:
        return b""  # a stop word once a quote or an elision is gone: 'all, l'un
    word = _english(word)
    if word in _NOT_KEYS or word.encode() in STOPWORDS:
        return b""  # a translated stop word: semana -> week
    stem = _stem(word)
    if stem != word and stem in SYNONYMS:
        stem = _stem(_english(stem))  # reinstalled -> reinstall -> install
    return stem.encode()


#: The keys of :data:`GENERIC_WORDS`.
GENERIC_KEYS = frozenset(_stem(_english(word)).encode() for word in GENERIC_WORDS)


def term_key(term: bytes) -> bytes | None:
    """The comparable key of one topic term, or ``None`` for junk (cached)."""
    return next(iter(topic_keys((term,))), None)


def topic_keys(terms: Collection[bytes]) -> frozenset[bytes]:
    """The keys of a question's topic terms (junk left out); cached per term."""
    cache = _key_cache
    if not all(map(cache.__contains__, terms)):  # a term seen for the first time
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        for term in terms:
            if term not in cache:
                cache[term] = _make_key(term)
    keys = set(map(cache.__getitem__, terms))
    keys.discard(b"")
    return frozenset(keys)
