"""Near-duplicates: questions that ask the same thing, within or across channels.

Not quadratic: a question is compared only with the leaders of the few groups that hold
the most of its signature keys; a bucket holds a bounded number of questions and the
comparisons per question are capped.

- *Keys.* Each topic term becomes a comparable key (:func:`term_key`, cached): accents
  folded, French elisions and light English inflections stripped (``crashed``,
  ``crashes`` -> ``crash``), and the words of a small map (:data:`SYNONYMS`) put in one
  English word: Spanish, German and French support words (``reembolso``,
  ``Rückerstattung``, ``remboursement`` -> ``refund``) and English variants (``gone``,
  ``disappeared`` -> ``missing``). One complaint in two languages then shares keys, as
  it shares its codes, numbers and product names. Junk is no key: control and format
  characters, runs of one or two letters (``aaaa``, ``hahaha``), emoji and
  punctuation, placeholder text (``lorem ipsum``), stop words of four languages.
- *Weights.* A key weighs its rarity in the pool, ``log(1 + n / df)``, and every key
  counts: what one question says and the other does not counts against them. Words
  that frame many different questions (:data:`GENERIC_WORDS`: "your page says", "since
  the update", "please help") weigh :data:`GENERIC_WEIGHT` of that; a key in more than
  :data:`COMMON_SHARE` of the questions (a brand name) :data:`COMMON_WEIGHT`; a key of
  one question only (a detail, a name, an untranslated word) :data:`UNIQUE_WEIGHT`, and
  nothing when it is a number (an order number, an amount). The *content* keys are the
  others found in two questions or more; the *specific* ones are not common either.
- *Same question.* Two questions must share :data:`MIN_SHARED` content keys. Their
  similarity is the weight of the shared keys over the geometric mean of both weights
  (a weighted Ochiai coefficient): :data:`SIMILAR_AT_ONCE` is enough (copies, a tweet
  and the ticket that tells it at length). Below that they must share
  :data:`BAND_SPECIFIC` specific keys and reach :data:`SIMILAR_AT`, and one of them must
  ask little beyond what they share (:data:`MAX_BEYOND`): two messages that open with
  the same frame ("your pricing page says ...") and then each ask their own thing are
  two questions. Two long posts (:data:`LONG_KEYS`) carry context, not other asks:
  :data:`SIMILAR_AT_LONG` is enough for them.
- *Groups.* A group is its leader (its best question) and the questions that ask what
  the leader asks: a newcomer is compared with leaders only and joins the one it
  matches best, so a chain of loosely related questions cannot snowball into one giant
  group. A lone question the newcomer matches comes along when it matches that leader
  too, or, when the newcomer forms a new group, when the newcomer matches it closely
  or both are long.

Questions are visited best first, so a group's first member is its best. Every choice
is ordered by rank and key, never by hash order: the groups are the same every run.
Measured on ``tests/unit/curation/data/duplicate_pairs.jsonl`` (see
``tests/unit/curation/test_duplicate_corpus.py``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain
from typing import NamedTuple

from cxdaily.curation.lexicon import STOPWORDS

#: Keys of a question looked up in the buckets (its heaviest content keys).
SIGNATURE_TERMS = 6
#: Questions a bucket keeps (the first ones: the best).
BUCKET_SIZE = 12
#: Group leaders a question is compared with (those holding most of its signature).
MAX_COMPARISONS = 8
COMMON_SHARE = 0.1
COMMON_WEIGHT = 0.25
GENERIC_WEIGHT = 0.2
UNIQUE_WEIGHT = 0.3
MIN_SHARED = 2
SIMILAR_AT_ONCE = 0.65
SIMILAR_AT = 0.38
BAND_SPECIFIC = 3
#: Below SIMILAR_AT_ONCE, one of the two questions must ask little beyond what they
#: share: its specific keys the other lacks weigh at most this share of its specific
#: keys. Two questions that each add their own ask to a shared frame are two.
MAX_BEYOND = 0.42
#: Questions with this many keys are long posts; two of them match from SIMILAR_AT_LONG.
LONG_KEYS = 20
SIMILAR_AT_LONG = 0.28
#: Two picks at least this similar are one topic when a session is ordered.
SAME_TOPIC_AT = 0.15
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

#: Words that frame many different questions: they weigh :data:`GENERIC_WEIGHT`.
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
_NUMBER = re.compile(rb"[\d.,]+")
_key_cache: dict[bytes, bytes] = {}  # term -> key, b"" for no key


def _fold(word: str) -> str:
    """``word`` without accents (``envío`` -> ``envio``, ``ß`` -> ``ss``)."""
    decomposed = unicodedata.normalize("NFKD", word.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
        word = _fold(word)
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


_GENERIC_KEYS = frozenset(_stem(_english(word)).encode() for word in GENERIC_WORDS)


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


class Profile(NamedTuple):
    """What grouping compares of one question."""

    keys: frozenset[bytes]
    weight: float
    """The summed weight of its keys."""
    content: tuple[bytes, ...]
    """Its keys that another question of the pool has too and that are not generic, the
    heaviest first (its signature)."""
    specific_weight: float
    """The summed weight of its specific keys."""


class TermStats:
    """Key frequencies and weights of a pool of questions (given as their topic terms)."""

    def __init__(self, term_sets: Sequence[AbstractSet[bytes]]) -> None:
        self.documents = n = len(term_sets)
        common_at = max(3.0, COMMON_SHARE * n)
        raw = Counter(chain.from_iterable(term_sets))
        self.common = frozenset(term for term, count in raw.items() if count > common_at)
        """Terms in more than COMMON_SHARE of the questions: little help telling topics
        apart (a brand name); novelty leaves them out."""
        distinct: dict[AbstractSet[bytes], frozenset[bytes]] = {}
        for terms in term_sets:
            if terms not in distinct:
                distinct[terms] = topic_keys(terms)
        counts = Counter(chain.from_iterable(distinct[terms] for terms in term_sets))
        self.weights: dict[bytes, float] = {}
        """Weight of each key: its rarity, less for generic, common and unique keys."""
        content: set[bytes] = set()
        specific: set[bytes] = set()
        for key, count in counts.items():
            weight = math.log(1.0 + n / count)
            if key in _GENERIC_KEYS:
                weight *= GENERIC_WEIGHT
            elif count == 1:  # in one question only: a detail, a name, an untranslated word
                weight *= 0.0 if _NUMBER.fullmatch(key) else UNIQUE_WEIGHT  # an id, an amount
            elif count > common_at:
                weight *= COMMON_WEIGHT
                content.add(key)
            else:
                content.add(key)
                specific.add(key)
            self.weights[key] = weight
        self.content = frozenset(content)
        """Keys found in two questions or more that are not generic."""
        self.specific = frozenset(specific)
        """Content keys that are not common either."""
        self.rank = {key: i for i, key in enumerate(sorted(content, key=self._heaviest))}
        """The content keys, the heaviest first (ties by the key)."""
        self._profiles = {terms: self._profile(keys) for terms, keys in distinct.items()}

    def _heaviest(self, key: bytes) -> tuple[float, bytes]:
        return (-self.weights[key], key)

    def _profile(self, keys: frozenset[bytes]) -> Profile:
        rare = math.log(1.0 + self.documents) * UNIQUE_WEIGHT
        weight = sum(self.weights.get(key, rare) for key in keys)  # rare: not in the pool
        content = sorted(keys & self.content, key=self.rank.__getitem__)
        return Profile(keys, weight, tuple(content), self.weight(keys & self.specific))

    def profile(self, terms: AbstractSet[bytes]) -> Profile:
        """The keys and weights of one question's topic terms."""
        found = self._profiles.get(terms)
        return self._profile(topic_keys(terms)) if found is None else found

    def weight(self, keys: Iterable[bytes]) -> float:
        """The summed weight of keys of the pool."""
        return sum(map(self.weights.__getitem__, keys))

    def similarity(self, a: Profile, b: Profile) -> float:
        """Weighted overlap of two questions' keys, 0 to 1 (a weighted Ochiai coefficient)."""
        shared = a.keys & b.keys
        if not shared or a.weight <= 0 or b.weight <= 0:
            return 0.0
        return self.weight(shared) / math.sqrt(a.weight * b.weight)

    def match(self, a: Profile, b: Profile) -> float:
        """The similarity when two questions ask the same thing, else 0 (see the module)."""
        shared = a.keys & b.keys
        if len(shared & self.content) < MIN_SHARED:
            return 0.0
        weight = self.weight(shared)
        score = weight / math.sqrt(a.weight * b.weight)
        if score >= SIMILAR_AT_ONCE:
            return score
        both = shared & self.specific
        if len(both) < BAND_SPECIFIC:
            return 0.0
        if min(len(a.keys), len(b.keys)) >= LONG_KEYS:  # long posts: context, not asks
            return score if score >= SIMILAR_AT_LONG else 0.0
        if score < SIMILAR_AT:
            return 0.0
        # One of them must ask little beyond the shared part: its specific keys that the
        # other lacks weigh at most MAX_BEYOND of all its specific keys.
        least = min(a.specific_weight, b.specific_weight)
        return score if self.weight(both) >= (1.0 - MAX_BEYOND) * least else 0.0


def group_leaders(ordered_terms: Sequence[AbstractSet[bytes]], stats: TermStats) -> list[int]:
    """For each question (given best first), the index of its group's best question.

    ``ordered_terms[i]`` are the topic terms of the i-th best question; a question with
    no near-duplicate is its own leader.
    """
    owner = list(range(len(ordered_terms)))  # group id: the index of its leader
    size = [1] * len(ordered_terms)
    buckets: dict[bytes, list[int]] = {}
    profiles: list[Profile] = []
    weights = stats.weights
    for index, terms in enumerate(ordered_terms):
        mine = stats.profile(terms)
        profiles.append(mine)
        usable = mine.content
        if len(usable) < MIN_SHARED:
            continue
        votes: dict[int, float] = {}  # group -> weight of the signature keys it holds
        for key in usable[:SIGNATURE_TERMS]:
            bucket = buckets.get(key)
            if bucket:
                weight = weights[key]
                for group in {owner[other] for other in bucket}:
                    votes[group] = votes.get(group, 0.0) + weight
        for key in usable:  # indexed under every content key, looked up by the heaviest
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [index]
            elif len(bucket) < BUCKET_SIZE:
                bucket.append(index)
        if votes:
            likely = sorted(votes, key=lambda group: (-votes[group], group))
            _join(index, likely[:MAX_COMPARISONS], owner, size, profiles, stats)
    first: dict[int, int] = {}
    for index, group in enumerate(owner):
        first.setdefault(group, index)  # visited best first: the first member leads
    return [first[group] for group in owner]


def _join(
    index: int,
    groups: list[int],
    owner: list[int],
    size: list[int],
    profiles: list[Profile],
    stats: TermStats,
) -> None:
    """Put question ``index`` in the one of ``groups`` whose leader it matches best, with
    the lone questions it matches that belong there too.

    A newcomer is compared with leaders only, never with other members, so a chain of
    loosely related questions cannot snowball into one giant group. A lone question it
    matches comes along when it matches that leader too; when the newcomer forms a new
    group (it matched lone questions only), a lone question it matches closely
    (:data:`SIMILAR_AT_ONCE`), or at length (both long), comes along: three long posts
    on one topic need not each match the other two.
    """
    best_group, best_score = -1, 0.0
    loners: list[tuple[int, float]] = []
    mine = profiles[index]
    for group in groups:
        score = stats.match(mine, profiles[group])
        if score:
            if size[group] == 1:
                loners.append((group, score))
            if score > best_score:
                best_group, best_score = group, score
    if best_group < 0:
        return
    lead, forming = profiles[best_group], size[best_group] == 1
    for loner, score in loners:  # a loner is one question: it moves in O(1)
        if loner == best_group:
            continue
        other = profiles[loner]
        if forming:
            belongs = score >= SIMILAR_AT_ONCE or min(len(mine.keys), len(other.keys)) >= LONG_KEYS
        else:
            belongs = stats.match(other, lead) > 0
        if belongs:
            owner[loner] = best_group
            size[best_group] += 1
            size[loner] = 0
    owner[index] = best_group
    size[best_group] += 1


def topic_clusters(term_sets: Sequence[AbstractSet[bytes]], stats: TermStats) -> list[int]:
    """Single-link clusters of a few picks by topic (quadratic: for a batch, not a pool)."""
    parent = list(range(len(term_sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    mine = [stats.profile(terms) for terms in term_sets]
    for i in range(len(mine)):
        for j in range(i):
            if stats.similarity(mine[i], mine[j]) >= SAME_TOPIC_AT:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(mine))]
