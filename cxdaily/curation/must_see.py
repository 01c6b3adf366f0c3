"""Which questions the leader must see whatever the budget (:func:`must_see_kinds`).

A VIP (the VIP lists, or the channel says so), or a question that says data was lost,
the account or the product is not secure, a legal step (a lawyer, a GDPR request, a
regulator), or that the customer is leaving, in English, Spanish, German and French.
Packing puts these before anything else, and never lets praise or a passing mention
(:func:`is_passing`) take time they need. The phrases live here rather than in the
sentiment lexicon: they are matched as phrases ("lost my edits", "cancel my
subscription"), not scored word by word. Their kinds are named in
:mod:`cxdaily.curation.explain`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from cxdaily.core.models import Question
from cxdaily.curation.batch import BatchItem
from cxdaily.curation.explain import CHURN, DATA_LOSS, LEGAL, SECURITY, VIP
from cxdaily.curation.lexicon import REQUEST_CUES
from cxdaily.curation.sentiment import NEGATIVE_AT, question_sentiment
from cxdaily.curation.text import TITLE_CHARS, head_of, tokenize

#: Characters of a body searched from its start, and from its end for a longer one (a
#: threat, "my lawyer will be in touch", often comes last).
MUST_SEE_HEAD_CHARS = 800
MUST_SEE_TAIL_CHARS = 400
#: A passing mention: why it waits for time no question needs.
PASSING = "passing mention: praise or no question, kept for time no question needs"

# Each kind: cue words (every phrase holds one of them, so the phrases are searched only
# in the few texts that have one) and the phrases, lower-case; a space stands for any run
# of spaces or hyphens. A phrase names what it is about ("cancel my subscription", not
# "cancel": a calendar's customers cancel meetings all day).
_MUST_SEE_PHRASES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        DATA_LOSS,
        """
        loss lost losing wiped erased deleted overwrote overwritten gone vanished
        disappeared corrupted pérdida perdí perdimos perdido perdió perdieron borró
        borraron eliminó eliminaron borrado desaparecido datenverlust verloren weg
        gelöscht verschwunden perte perdu perdus perdues effacé effacés effacées
        supprimé supprimés supprimées disparu disparus disparues borran eliminan
        """,
        (
            r"(?<!no\s)(?<!without\s)data loss",
            r"(?:lost|losing) (?:all )?(?:of )?(?:my|our|the|their|a whole \w+ of|"
            r"\w+ (?:days?|hours?|weeks?|months?|years?) of)(?: \w+){0,2}? "
            r"(?:data|edits|work|notes|files|changes|bookings|history|events|entries|"
            r"appointments|records|contacts|calendars?|documents|everything)\b",
            r"(?:deleted|wiped|erased|overwrote|overwritten) (?:all )?(?:of )?(?:my|our)\b"
            r"(?! (?:account|number|phone))",
            r"(?:my|our|all|the|of|their) (?:\w+ )?(?:data|edits|notes|files|changes|"
            r"bookings|history|events|entries|appointments|records|contacts)\b"
            r"[^.!?\n]{0,40}?\b(?:gone|wiped|erased|vanished|disappeared|corrupted)\b|"
            r"(?:everything|data) (?:is |was |has )?(?:gone|wiped|erased|vanished|"
            r"disappeared)\b",
            r"(?:data|edits|notes|changes|bookings|events|entries|appointments|records) "
            r"(?:is |are |was |were |has been |have been |got )(?:lost|deleted)\b",
            r"p[ée]rdida de (?:datos|informaci[óo]n)",
            r"(?:perd[ií]|perdimos|he perdido|hemos perdido|se perdi[óo]|se perdieron|"
            r"borr[óo]|borraron|elimin[óo]|eliminaron|se borr[óo]|se borraron) "
            r"(?:todos |todas |toda )?(?:mis |nuestros |nuestras |los |las |la |el |mi )?"
            r"(?:datos|citas|notas|cambios|reservas|eventos|archivos|informaci[óo]n|"
            r"historial|calendario|trabajo)\b",
            r"(?:datos|citas|reservas|notas|eventos) (?:han |se han )"
            r"(?:desaparecido|borrado|perdido)|se (?:borran|eliminan) sol[oa]s",
            r"datenverlust",
            r"(?:daten|termine|notizen|(?:ä|ae|a)nderungen|eintr(?:ä|ae|a)ge|buchungen) "
            r"(?:sind |wurden |waren |ist )(?:\w+ )?(?:weg|verloren|"
            r"gel(?:ö|oe|o)scht|verschwunden)\b",
            r"(?:habe|hab|haben) (?:alle |meine |unsere )?(?:\w+ ){0,2}?(?:daten|termine|"
            r"notizen|(?:ä|ae|a)nderungen|eintr(?:ä|ae|a)ge) verloren",
            r"perte (?:de |des |d')?(?:mes |nos )?donn[ée]es",
            r"perdu (?:tou(?:te)?s )?(?:mes|nos|les|mon|notre|ma) (?:\w+ ){0,2}?"
            r"(?:donn[ée]es|notes|modifications|rendez vous|r[ée]servations|fichiers|"
            r"[ée]v[ée]nements|historique|calendrier|travail)\b",
            r"donn[ée]es (?:\w+ )?(?:perdues|effac[ée]es|supprim[ée]es|disparues)",
            r"(?:effac[ée]|supprim[ée]) (?:tou(?:te)?s )?(?:mes|nos)\b",
            r"(?:mes|nos) (?:\w+ ){0,3}?(?:ont [ée]t[ée] |a [ée]t[ée] |sont |est )"
            r"(?:supprim[ée]e?s?|effac[ée]e?s?|perdue?s?|disparue?s?)\b",
        ),
    ),
    (
        SECURITY,
        """
        hacked hacker hackers hacking breach breached compromised phishing pwned malware
        ransomware takeover disclosure xss csrf injection enumeration execution privilege
        someone somebody stranger strangers unauthorized unauthorised suspicious
        vulnerability vulnerabilities security leaked stolen exposed leak leaking legit
        hackeado hackeada hackeados hackeadas hackearon jaqueado jaqueada brecha fuga
        acceso vulnerabilidad vulnerabilidades suplantación robaron seguridad entró
        entrado accedió accedido gehackt datenleck datenpanne sicherheitslücke
        sicherheitsproblem unbefugte unbefugter unbefugten unbefugtem schwachstelle
        jemand fremde piraté piratée piratés piratées piratage hacké hackée hackés faille
        fuite violation accès usurpation hameçonnage vulnérabilité quelqu'un
        """,
        (
            r"hacked|hackers?|hacking|breach(?:ed)?|compromised|phishing|pwned|malware|"
            r"ransomware|account takeover|responsible disclosure|xss|csrf|sql injection|"
            r"user enumeration|remote code execution|privilege escalation",
            r"(?:someone|somebody|a stranger|strangers) (?:else )?(?:has )?(?:logged|signed|"
            r"got|broke) (?:in|into)\b",
            r"unauthori[sz]ed (?:access|log(?: )?ins?|sign(?: )?ins?|users?|activity)",
            r"suspicious (?:log(?: )?ins?|sign(?: )?ins?|activity|e?mails?)",
            r"vulnerabilit(?:y|ies)",
            r"security(?: issue| hole| flaw| bug| incident| problem| risk| concern| breach|"
            r" report)s?\b|^security:",
            r"(?:passwords?|credentials|api keys?|tokens?|data) (?:was |were |have been |"
            r"has been |got )?(?:leaked|stolen|exposed)\b",
            r"leak(?:ed|ing)? (?:my |our |user |customer |personal )?(?:data|passwords?|"
            r"emails?|information)",
            r"is this (?:e?mail|message|link|text|sms) (?:\w+ )?legit",
            r"hackead[oa]s?|hackearon|jaquead[oa]s?|brecha de (?:seguridad|datos)|"
            r"fuga de datos|acceso no autorizado|vulnerabilidad(?:es)?|"
            r"suplantaci[óo]n|me robaron la cuenta|(?:fallo|problema) de seguridad",
            r"(?:alguien|otra persona) (?:ha )?(?:entr[óo]|entrado|accedi[óo]|accedido) "
            r"(?:en|a) (?:mi|nuestra) cuenta",
            r"gehackt|datenleck|datenpanne|sicherheitsl(?:ü|ue|u)cke|sicherheitsproblem|"
            r"unbefugte[rnm]? zugriff|schwachstelle",
            r"(?:jemand|fremde) (?:hat|haben) sich (?:\w+ )?(?:in|bei) "
            r"(?:mein|unser)\w* (?:konto|account)",
            r"pirat(?:é|ée|és|ées)\b|piratage|hack(?:é|ée|és|ées)\b|faille|"
            r"fuite de donn[ée]es|violation de donn[ée]es|acc[èe]s non autoris[ée]|"
            r"usurpation|hame[çc]onnage|vuln[ée]rabilit[ée]",
            r"quelqu'un (?:s'est connect[ée]|a acc[ée]d[ée]|est entr[ée])",
        ),
    ),
    (
        LEGAL,
        """
        lawyer lawyers attorney attorneys solicitor solicitors legal lawsuit lawsuits law
        sue suing claims court class cease gdpr ccpa dsar subject erasure forgotten
        protection regulator ombudsman standards abogado abogada abogados abogadas
        demandar demandarles demandarlos denunciar denunciarles denunciarlos acciones
        acción tribunal tribunales juzgado rgpd lopd derecho anwalt anwalts anwälte
        anwältin rechtsanwalt rechtsanwältin anwaltlich anwaltliche anwaltlichen klage
        verklagen gericht gerichtlich gerichtliche gerichtlichen dsgvo
        datenschutzbehörde verbraucherzentrale abmahnung schritte avocat avocate avocats
        poursuites poursuivre procès plainte cnil demeure justice droit juridique
        juridiques
        """,
        (
            r"lawyers?|attorneys?|solicitors?|legal (?:action|steps|proceedings|counsel)|"
            r"law(?: )?suits?|sue (?:you|your|them)\b|suing|small claims|"
            r"take (?:you|this|it) to court|in court\b|class action|cease and desist",
            r"gdpr|ccpa|dsar|subject access request|data subject request|"
            r"right to (?:erasure|be forgotten)|data protection (?:authority|commission|"
            r"commissioner|regulator)|regulator|ombudsman|consumer protection|"
            r"trading standards",
            r"abogad[oa]s?|demandar(?:les|los)?\b|denunciar(?:les|los)?\b|"
            r"acci(?:ones|[óo]n) legal(?:es)?|tribunal(?:es)?|juzgado|rgpd|lopd|"
            r"derecho (?:de|al) (?:supresi[óo]n|olvido)",
            r"(?:rechts)?anw(?:ä|ae|a)lt(?:in|s|e)?\b|anwaltlich\w*|klage\b|verklagen|"
            r"gericht\b|gerichtlich\w*|dsgvo|datenschutzbeh(?:ö|oe|o)rde|"
            r"verbraucherzentrale|abmahnung|rechtliche schritte",
            r"avocat(?:e|s)?\b|poursuites judiciaires|poursuivre en justice|proc[èe]s\b|"
            r"tribunal|porter plainte|d[ée]poser (?:une )?plainte|rgpd|cnil|"
            r"mise en demeure|action en justice|droit [àa] l'(?:effacement|oubli)|"
            r"juridiques?",
        ),
    ),
    (
        CHURN,
        """
        cancel canceling cancelling canceled cancelled cancellation cancelation leave
        leaving churn churning switching switched alternatives alternative looking
        shopping renew renewing close end terminate delete cancelar cancelo cancelaré
        cancelación baja cambio cambiamos cambiarme cambiarnos renovar dejar kündigen
        kündige kündigt kündigung kündigungen gekündigt wechseln wechsle umsteigen
        verlängern alternativen konkurrenz beenden résilier résilie résiliation résilié
        résiliée résilions annuler quitter ailleurs désabonner désabonnement concurrent
        renouveler concurrence
        """,
        (
            r"cancel(?:l?ing|l?ed)? (?:my |our |the |this |your )?(?:\w+ )?(?:subscription|"
            r"account|plan|contract|membership|renewal|licen[cs]es?|seats)\b",
            r"(?:i'm|i am|we're|we are|i'll|i will|we'll|we will|going to|gonna|about to|"
            r"plan(?:ning)? to|decided to|want to|would like to|will be) (?:\w+ )?"
            r"(?:cancel(?:l?ing)?(?=(?: )?(?:[.!,;]|$|and\b|now\b|today\b))|"
            r"churn(?:ing)?|(?:leave|leaving) (?:you|for)\b)",
            r"(?<!since\s)(?<!after\s)(?<!when\s)(?<!while\s)(?<!about\s)switching "
            r"(?:over )?to (?!(?:the|a|an|our|your|my|this|that|monthly|annual|yearly|dark|"
            r"light|plan|version)\b)|(?:considering|thinking (?:of|about)) switching|"
            r"switching (?:over )?to (?:a |an )?(?:competitor|another (?:tool|provider|app|"
            r"vendor|service))|switch(?:ing|ed)? (?:away|providers|vendors|tools|platforms)\b",
            r"(?:evaluat\w*|look\w* (?:at|for|into)|consider\w*|explor\w*|compar\w*|"
            r"trial\w*) (?:\w+ )?alternatives|alternatives? to (?:you|your)\b",
            r"(?:i am|i'm|we are|we're|am|are|start|started|starting) (?:\w+ )?"
            r"(?:looking|shopping) around",
            r"(?:won't|will not|not going to|don't plan to|do not plan to) (?:be )?renew|"
            r"not renewing|(?:end|terminate|close|delete) (?:my|our) (?:\w+ )?"
            r"(?:account|contract|subscription)\b",
            r"=(?: )?cancel|cancel(?:l?ing) (?:and|now|today)\b|before (?:we|i) cancel|"
            r"confirm the cancell?ation",
            r"cancelar (?:mi |la |nuestra |el |nuestro )?(?:\w+ )?(?:suscripci[óo]n|cuenta|"
            r"plan|contrato|membres[ií]a|abono)\b|cancelaci[óo]n de (?:mi|la|nuestra) "
            r"(?:suscripci[óo]n|cuenta)|(?:quiero|voy a|vamos a|queremos) (?:darme de baja|"
            r"darnos de baja|cambiarme|cambiarnos|dejar de usar)|"
            r"(?:cancelar|cancelo|cancelar[ée])(?=(?: )?(?:[.!,;]|$|ya\b|hoy\b))|"
            r"dar(?:me|nos|se)? de baja|doy de baja|me cambio a|nos cambiamos a|"
            r"no (?:voy|vamos) a renovar",
            r"k(?:ü|ue|u)ndig(?:e|en|t|ung|ungen)\b|gek(?:ü|ue|u)ndigt|"
            r"(?:wechseln|wechsle|umsteigen) (?:zu|auf|zur|zum)\b|"
            r"nicht (?:mehr )?verl(?:ä|ae|a)ngern|nach alternativen|zur konkurrenz|"
            r"(?:abo|abonnement|vertrag|konto) (?:beenden|k(?:ü|ue|u)ndigen)",
            r"r[ée]sili(?:er|e|ation|[ée]e?|ons)\b|annuler (?:mon |notre |l')?"
            r"(?:abonnement|compte|contrat|forfait)|vous quitter|partir ailleurs|"
            r"d[ée]sabonner|d[ée]sabonnement|passer chez (?:un |le |votre )?concurrent|"
            r"ne (?:pas |plus )?(?:le )?renouveler|chez la concurrence|"
            r"(?:aller|partir|passer) (?:[àa]|chez) la concurrence",
        ),
    ),
)


def _spellings(word: str) -> set[str]:
    """A word and its spellings without accents (``kündigung`` -> ``kuendigung``,
    ``kundigung``)."""
    forms = {word}
    if not word.isascii():
        forms.add(word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
        stripped = unicodedata.normalize("NFKD", word)
        forms.add("".join(c for c in stripped if not unicodedata.combining(c)))
    return forms


@functools.cache
def _pattern(kind: str) -> re.Pattern[str]:
    """The phrases of one must-see kind as one pattern, compiled the first time a text
    holds one of its cue words (most never do: the start-up does not pay for it)."""
    phrases = next(phrases for name, _, phrases in _MUST_SEE_PHRASES if name == kind)
    body = "|".join(f"(?:{p})" for p in phrases)
    return re.compile(r"(?<!\w)(?:" + body.replace(" ", r"[\s\-]+") + ")", re.MULTILINE)


_SIGNALS: tuple[tuple[str, frozenset[bytes]], ...] = tuple(
    (kind, frozenset(form.encode() for cue in cues.split() for form in _spellings(cue)))
    for kind, cues, _ in _MUST_SEE_PHRASES
)
_CUES = frozenset().union(*(cues for _, cues in _SIGNALS))
#: Characters around a cue word a phrase may reach ("lost a whole afternoon of changes").
_REACH = 100


def _searched_text(question: Question) -> str:
    """What is searched for must-see phrases: the title, the start of the body and, for
    a longer body, its end (bounded, whatever the size)."""
    title, body = question.title or "", question.body
    text = body[:MUST_SEE_HEAD_CHARS]
    if title:
        text = f"{title[:TITLE_CHARS]}\n{text}"
    if len(body) > MUST_SEE_HEAD_CHARS:
        text += "\n" + body[max(MUST_SEE_HEAD_CHARS, len(body) - MUST_SEE_TAIL_CHARS) :]
    return text.lower().replace("\u2019", "'")


def text_must_see(question: Question) -> tuple[str, ...]:
    """The must-see kinds a question's words show (data loss, security, legal, churn).

    Curation asks this of every shortlisted question, so the work is shaped for speed:
    one intersection (in C) finds the cue words; only a text with one is searched, and
    only around its cue words."""
    text = _searched_text(question)
    tokens = tokenize(text)
    if _CUES.isdisjoint(tokens):
        return ()
    found: list[str] = []
    for kind, cues in _SIGNALS:
        for cue in cues.intersection(tokens):
            if _near(_pattern(kind), text, cue.decode()):
                found.append(kind)
                break
    return tuple(found)


def _near(pattern: re.Pattern[str], text: str, cue: str) -> bool:
    """Whether ``pattern`` matches within :data:`_REACH` characters of ``cue`` in ``text``."""
    at = text.find(cue)
    while at >= 0:
        if pattern.search(text, max(at - _REACH, 0), at + len(cue) + _REACH):
            return True
        at = text.find(cue, at + len(cue))
    return False


def must_see_kinds(item: BatchItem, text_kinds: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Why the leader must see a question whatever the budget: "VIP" (the VIP lists, or
    the channel marks the author VIP), then what its words show (``text_kinds`` when its
    text analysis says it already, see :func:`text_must_see`); empty for most."""
    question = item.question
    vip = "VIP" in item.reasons or question.meta.get("vip") is True
    found = text_must_see(question) if text_kinds is None else text_kinds
    return (VIP, *found) if vip else found


def is_passing(item: BatchItem) -> bool:
    """Praise or a passing mention: not must-see, not in a thread, asks nothing (no
    question mark, no "please", not addressed to the brand) and does not read negative
    (with its stars and priority)."""
    question = item.question
    if item.must_see or question.context:
        return False
    if question.meta.get("priority") in ("urgent", "high"):
        return False
    head = head_of(question)
    if "?" in head or "\uff1f" in head or question.body[:40].lstrip().startswith("@"):
        return False
    if not REQUEST_CUES.isdisjoint(tokenize(head)):
        return False
    return question_sentiment(question).score > NEGATIVE_AT
