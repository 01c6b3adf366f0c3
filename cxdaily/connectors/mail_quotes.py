"""The text of an email: its bytes decoded, its flowed lines joined, what it repeats
dropped, and its subject as a thread key.

:func:`decode_bytes` reads text in any charset Python knows and survives the usual wrong
labels: Latin-1 bytes declared as UTF-8 or US-ASCII are read as Windows-1252 (which
"Latin-1" mail always is), UTF-8 declared as Latin-1 as UTF-8, an unknown charset as
UTF-8 or Windows-1252. :func:`unflow` joins ``format=flowed`` lines (RFC 3676).

:func:`new_text` keeps what the sender wrote in this message: it drops the quoted earlier
replies (``> `` lines and the "On ... wrote:" line above them, in the phrasing of the
common clients and languages), the history Outlook pastes below a reply ("-----Original
Message-----", a "From: / Sent: / To: / Subject:" block in any common language, the
line or rule above it), forwarded messages, and signatures ("-- ", "Sent from my
iPhone" and its translations). Everything is matched on whole lines, so a sentence that
merely says "wrote" stays.

:func:`thread_subject` and :func:`reply_subject` know the reply and forward prefixes of
the common clients in many languages ("Re:", "AW:", "SV:", "Réf. :", "回复：", ...).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# -- charsets ----------------------------------------------------------------------------
_C1_TO_CP1252 = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
"""C1 control characters (what Latin-1 decoding makes of bytes 0x80-0x9F) as the
Windows-1252 characters those bytes really are (curly quotes, dashes, the euro sign)."""
_LATIN_CODECS = frozenset({"ascii", "iso8859-1", "cp1252", "iso8859-15"})
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "big5": "cp950",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "x-mac-roman": "mac-roman",
    "unicode-1-1-utf-8": "utf-8",
}
_REFUSED_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem"}
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _latin(data: bytes) -> str:
    """Single-byte Latin text as Windows-1252 (what "ISO-8859-1" mail really is)."""
    return data.decode("latin-1").translate(_C1_TO_CP1252)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: undecodable bytes read one by one as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return _latin(exc.object[exc.start : exc.end]), exc.end


codecs.register_error("cxdaily-cp1252", _cp1252_fallback)


def _codec(charset: str | None) -> str | None:
    """The Python codec for a declared charset; ``None`` when missing, unknown or unsafe."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()[:40]
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    return None if codec in _REFUSED_CODECS else codec


_ISO2022JP_SHIFT = re.compile(rb"\x1b(\$[@B]|\([BJI])")
"""The escapes of ISO-2022-JP (RFC 1468) and of its half-width katakana extension."""


def _jis_to_sjis(first: int, second: int) -> bytes:
    """A JIS X 0208 row-cell pair (two bytes 0x21-0x7E) as the Shift_JIS bytes of it."""
    lead = ((first - 0x21) >> 1) + 0x81
    lead += 0x40 if lead > 0x9F else 0
    trail = second + 0x1F + (second >= 0x60) if first & 1 else second + 0x7E
    return bytes((lead, trail))


def _iso2022jp(data: bytes) -> str | None:
    """ISO-2022-JP text read as the Windows mailers write it (CP50220): the NEC and IBM
    characters they put in JIS X 0208 rows 13 and 89-92 (①, ㈱, Ⅱ) and half-width
    katakana decode as the characters meant. ``None`` for an escape outside this set."""
    if re.search(rb"\x1b(?!\$[@B]|\([BJI])", data):
        return None
    converted = bytearray()
    mode = b"(B"
    for n, chunk in enumerate(_ISO2022JP_SHIFT.split(data)):
        if n % 2:
            mode = chunk
            continue
        if mode in (b"$@", b"$B"):
            for k, run in enumerate(re.split(rb"([\x21-\x7e]+)", chunk)):
                if k % 2 == 0:  # line ends and spaces between the pairs
                    converted += run
                    continue
                whole = len(run) - len(run) % 2
                pairs = zip(run[:whole:2], run[1:whole:2], strict=True)
                converted += b"".join(_jis_to_sjis(a, b) for a, b in pairs)
                converted += run[whole:]  # a byte without its pair
        elif mode == b"(I":
            converted += bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in chunk)
        else:
            converted += chunk
    return bytes(converted).decode("cp932", errors="replace")


def _utf8(data: bytes, cut: bool) -> str | None:
    """``data`` as UTF-8, else ``None``; when ``cut``, an incomplete character at the very
    end is dropped (the cut went through it)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        end_of_data = "end of data" in exc.reason
        if cut and end_of_data and exc.end == len(data) and exc.start >= len(data) - 3:
            try:
                return data[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def decode_bytes(data: bytes, charset: str | None, *, cut: bool = False) -> str:
    """Text bytes as ``str``, best effort, never raising.

    A known non-Latin charset decodes as declared (bad bytes replaced). Otherwise (UTF-8,
    US-ASCII, ISO-8859-1, Windows-1252, a missing or unknown charset) valid UTF-8 is read
    as UTF-8 and anything else as Windows-1252, byte by byte where the two are mixed: the
    usual wrong labels then give the right text instead of mojibake. ``cut``: the bytes
    were cut at a size limit (a character cut in two is dropped, not misread).
    """
    if not data:
        return ""
    codec = _codec(charset)
    if codec == "iso2022_jp":
        text = _iso2022jp(data)
        if text is not None:
            return text
    if codec is not None and codec != "utf-8" and codec not in _LATIN_CODECS:
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, ValueError, TypeError):
            pass  # an exotic codec that refuses: read as below
    if data.isascii():
        return data.decode("ascii")
    text = _utf8(data, cut)
    if text is not None:
        return text
    if _UTF8_MULTIBYTE.search(data) is None:
        return _latin(data)
    return data.decode("utf-8", errors="cxdaily-cp1252")


# -- quoted replies -------------------------------------------------------------------
_ATTRIBUTION = re.compile(
    r"""^(?:
        on\s.+\bwrote                          # Gmail, Apple Mail, Thunderbird, Outlook
      | el\s.+\bescribi[óo]                    # Spanish
      | am\s.+\bschrieb\b.*                    # German
      | le\s.+\ba\s+[ée]crit                   # French
      | em\s.+\bescreveu                       # Portuguese
      | (?:il|in\s+data)\s.+\bha\s+scritto     # Italian
      | op\s.+\bschreef\b.*                    # Dutch
      | den\s.+\bskrev\b.*                     # Swedish, Danish, Norwegian
      | .+\bkirjoitti                          # Finnish
      | w\s+dniu\s.+\bnapisa[łl]\S*            # Polish
      | .+\b(?:пишет|написал\S*)               # Russian
      | .+(?:写道|寫道)                          # Chinese
      | \d{4}年\d{1,2}月\d{1,2}日.+<[^<>\s]+@[^<>\s]+>   # Gmail, Japanese
      | .+(?:のメッセージ|さんは書きました)        # Japanese
    )\s*[:：]$""",
    re.IGNORECASE | re.VERBOSE,
)
"""The line a client writes above the text it quotes (whole, once wrapped lines are joined)."""
_MAX_ATTRIBUTION_CHARS = 400
_ATTRIBUTION_LINES = 3
"""An attribution is wrapped over this many lines at the most (a long name and address)."""

# -- pasted history (Outlook) and forwards ---------------------------------------------
_SEPARATOR = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine
          |mensaje\s+original|messaggio\s+originale|oorspronkelijk\s+bericht
          |ursprungligt\s+meddelande|originalmeddelande|opprinnelig\s+melding
          |oprindelig\s+meddelelse|alkuperäinen\s+viesti|wiadomość\s+oryginalna
          |oryginalna\s+wiadomość|původní\s+zpráva|исходное\s+сообщение|mensagem\s+original
          |原始邮件|原始郵件|元のメッセージ
          |forwarded\s+message|weitergeleitete\s+nachricht|message\s+transféré
          |mensaje\s+reenviado|messaggio\s+inoltrato|doorgestuurd\s+bericht
          |mensagem\s+encaminhada|vidarebefordrat\s+meddelande|videresendt\s+meddelelse
          |пересылаемое\s+сообщение|転送されたメッセージ|转发的邮件|轉寄的郵件)\s*-{2,}
      | (?:begin\s+forwarded\s+message|début\s+du\s+message\s+réexpédié
          |anfang\s+der\s+weitergeleiteten\s+nachricht|inicio\s+del\s+mensaje\s+reenviado
          |inizio\s+messaggio\s+inoltrato|begin\s+doorgestuurd\s+bericht
          |início\s+da\s+mensagem\s+reencaminhada)\s*[:：]
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADER_NAMES = {
    "from": r"from|de|von|da|van|från|fra|od|от|发件人|寄件者|差出人|lähettäjä|feladó",
    "sent": (
        r"sent|date|envoyé|gesendet|datum|enviado(?:\s+el)?|enviada\s+em|inviato|data"
        r"|verzonden|skickat|sendt|wysłano|отправлено|дата|发送时间|日期|寄件日期|送信日時"
        r"|日付|lähetetty|päivämäärä|elküldve"
    ),
    "to": r"to|à|a|an|para|aan|till|til|do|кому|收件人|宛先|vastaanottaja|címzett",
    "cc": r"cc|kopie|copie\s+à|копия|抄送|副本",
    "subject": (
        r"subject|objet|betreff|asunto|oggetto|onderwerp|ämne|emne|temat|тема|主题|主旨"
        r"|件名|aihe|assunto|tárgy"
    ),
}
_HEADER_LINE = {
    key: re.compile(rf"^\s*\*?(?:{names})\*?\s*[:：]", re.IGNORECASE)
    for key, names in _HEADER_NAMES.items()
}
_INLINE_HEADER = {
    key: re.compile(rf"(?:^|\s)\*?(?:{names})\*?\s*[:：]", re.IGNORECASE)
    for key, names in _HEADER_NAMES.items()
    if key != "from"
}
_HEADER_BLOCK_LINES = 8
"""How far below a "From:" line the rest of a pasted header block is looked for."""
_RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,})\s*$")

# -- signatures ------------------------------------------------------------------------
_SENT_FROM = re.compile(
    r"""^(?:
        (?:sent|enviado|envoyé|inviato|verstuurd|skickat|sendt|gesendet|enviada|lähetetty
          |wysłane|отправлено)
        \s+(?:from|desde|de|da|do|vanaf|från|fra|von|mit|z|с)\s+(?P<device>.{1,50}?)
      | von\s+meinem\s+(?P<device_de>.{1,40}?)\s+gesendet
      | (?:get|obtener|télécharger|scarica|baixe)\s+outlook\s+(?:for|para|pour|per)\s+\S+
      | (?:发自|寄自)(?:我的)?\s*(?P<device_zh>\S{1,20})
      | (?P<device_ja>\S{1,20})から送信
    )\s*(?:<\S+>|\(\S+\)|\[\S+\])?\s*\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
_DEVICES = re.compile(
    r"iphone|ipad|ipod|android|samsung|galaxy|pixel|huawei|xiaomi|blackberry|mobile|móvil"
    r"|mobil|handy|smartphone|phone|téléphone|telefono|cellulare|tablet|mail|outlook|gmail"
    r"|yahoo|aol|proton|spark|windows|surface|телефон|手机|手機|アイフォーン",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINE = 80


def _is_signature(line: str) -> bool:
    """Whether a (stripped) line starts the signature: "-- " or a client's "Sent from"."""
    if line in ("--", "-- "):
        return True
    if len(line) > _MAX_SIGNATURE_LINE:
        return False
    match = _SENT_FROM.match(line)
    if not match:
        return False
    device = next((g for g in match.groups() if g), None)
    return device is None or bool(_DEVICES.search(device))


def new_text(body: str) -> str:
    """``body`` without quoted earlier replies, pasted or forwarded history and signature.

    Quoted text between the sender's own paragraphs (an inline reply) is dropped and the
    sender's paragraphs kept; everything from pasted history, a forwarded message or a
    signature on is dropped. The result may be empty (a forward with no comment).
    """
    lines = body.split("\n")
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _ends_message(lines, i):
            break
        span = _attribution_span(lines, i)
        if span:
            after = _skip_blank(lines, i + span)
            if after < len(lines) and not _is_quoted(lines[after]):
                break  # unquoted history under the attribution: all of it is old
            i = _skip_quote(lines, after)
            continue
        if _is_quoted(line):
            i = _skip_quote(lines, i)
            continue
        kept.append(line)
        i += 1
    return _tidy(kept)


def _ends_message(lines: list[str], i: int) -> bool:
    """Whether the sender's text ends before line ``i`` (signature, history, forward)."""
    line = lines[i].strip()
    if not line:
        return False
    if _is_signature(line):
        return True
    if _SEPARATOR.match(line):
        return True
    return _header_block_at(lines, i)


def _header_block_at(lines: list[str], i: int) -> bool:
    """Whether a pasted "From: ... Sent: ... To: ... Subject: ..." block starts at line i."""
    line = lines[i]
    if not _HEADER_LINE["from"].match(line):
        return False
    inline = {key for key, pattern in _INLINE_HEADER.items() if pattern.search(line, 5)}
    if len(inline) >= 2 and ("sent" in inline or "subject" in inline):
        return True  # the whole block on one line (a converted HTML reply)
    found: set[str] = set()
    for below in lines[i + 1 : i + 1 + _HEADER_BLOCK_LINES]:
        for key, pattern in _HEADER_LINE.items():
            if key != "from" and pattern.match(below):
                found.add(key)
                break
    return len(found) >= 2 and ("sent" in found or "subject" in found)


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines the "On ... wrote:" attribution starting at line i takes (0: none)."""
    first = lines[i].strip()
    if not first or _is_quoted(first) or not any(c.isdigit() for c in first):
        return 0
    joined = first
    for span in range(1, _ATTRIBUTION_LINES + 1):
        if len(joined) > _MAX_ATTRIBUTION_CHARS:
            return 0
        if _ATTRIBUTION.match(joined):
            return span
        if i + span >= len(lines) or not lines[i + span].strip():
            return 0
        joined = f"{joined} {lines[i + span].strip()}"
    return 0


def _is_quoted(line: str) -> bool:
    return line.lstrip(" ").startswith(">")


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _skip_quote(lines: list[str], i: int) -> int:
    """The first line after the quoted block at line i (blank lines inside it included)."""
    end = i
    while i < len(lines) and (_is_quoted(lines[i]) or not lines[i].strip()):
        if _is_quoted(lines[i]):
            end = i + 1
        i += 1
    return end


def _tidy(lines: list[str]) -> str:
    """Lines joined, without rules or blank lines at the end and no runs of blank lines."""
    while lines and (not lines[-1].strip() or _RULE.match(lines[-1])):
        lines.pop()
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return "\n".join(out)


# -- format=flowed ---------------------------------------------------------------------
def unflow(text: str, *, delsp: bool = False) -> str:
    """Plain text sent as ``format=flowed`` (RFC 3676) with its soft line breaks joined.

    A line ending in a space goes on in the next line of the same quote depth; quoted
    lines come out as ``> `` per level, the sender's space-stuffing removed.
    """
    out: list[str] = []
    open_depth: int | None = None
    for raw in text.split("\n"):
        depth = len(raw) - len(raw.lstrip(">"))
        line = raw[depth:]
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if open_depth == depth and out and line != "-- ":
            out[-1] += line
        else:
            out.append("> " * depth + line if depth else line)
        soft = line.endswith(" ") and line != "-- "
        if soft and delsp:
            out[-1] = out[-1][:-1]
        open_depth = depth if soft else None
    return "\n".join(out)


# -- subjects --------------------------------------------------------------------------
_REPLY_WORDS = (
    r"re|aw|sv|vs|r|antw|antwort|réf|ref|rif|res|odp|ynt|atb|vá|απ|σχετ|ответ"
    r"|回复|答复|回覆|答覆|返信"
)
_FORWARD_WORDS = r"fwd|fw|wg|tr|rv|enc|doorst|vb|vl|vs|pd|ilt|İlt|i|wtr|πρθ|пересл|转发|轉寄|転送"
_COUNTER = r"(?:\s*\[\d{1,4}\]|\s*\(\d{1,4}\)|\^\d{1,4})?"
_PREFIX = re.compile(
    rf"^\s*(?:\[[^\[\]]{{0,40}}\]\s*)?(?:{_REPLY_WORDS}|{_FORWARD_WORDS})\.?{_COUNTER}\s*[:：]\s*",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(rf"^\s*(?:{_REPLY_WORDS})\.?{_COUNTER}\s*[:：]", re.IGNORECASE)
_MAX_PREFIXES = 50
NO_SUBJECT = "(no subject)"


def thread_subject(subject: str | None) -> str:
    """The subject without reply/forward prefixes, lower-cased and folded: the key to
    thread messages by subject when References are missing."""
    text = " ".join((subject or "").split())
    for _ in range(_MAX_PREFIXES):
        match = _PREFIX.match(text)
        if not match or match.end() == 0:
            break
        text = text[match.end() :]
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def reply_subject(subject: str | None) -> str:
    """'Re: ' + the subject, unless it already starts with a reply prefix in a common
    language (kept as it is); 'Re: (no subject)' when there is none."""
    text = " ".join((subject or "").split())
    if not text:
        return f"Re: {NO_SUBJECT}"
    if _REPLY_PREFIX.match(text):
        return text
    return f"Re: {text}"
