"""The Sent folder of the ``email`` channel: which folder it is, where look-ups search,
and the team's messages each fetch reads from it.

Most mail clients and servers file the mail the team sends in the mailbox's Sent folder,
not in the folder questions are read from. That folder is ``sent_folder`` when it is
configured, else the one the server marks ``\\Sent`` (RFC 6154, asked once per IMAP
session: :meth:`~cxdaily.connectors.email_imap.ImapSession.special_use`), else there is
none and the folder alone is searched, as without the extension. A folder found that way
is only read: a copy of a reply is filed (``APPEND``) only in a configured
``sent_folder`` (a server such as Gmail files one itself, and a second would be a
duplicate).

- :func:`folders_to_search`: where every look-up searches (the team's answers before a
  reply is sent, our own reply after an unknown outcome, a thread's earlier messages).
- :func:`read_sent`: each fetch reads the Sent folder's new messages by its own
  checkpoint (``sent`` in the channel's: the folder, its UIDVALIDITY and the last UID
  read), at most :data:`MAX_SENT_PER_FETCH` of them, and keeps the team's; a colleague's
  answer filed there then settles the question it answers. A Sent folder that cannot be
  read is a warning, never a failed fetch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxdaily.connectors.email_imap import ImapSession, imap_date, kept_uid
from cxdaily.connectors.email_special_use import readable_folder_name
from cxdaily.core.errors import ConnectorError
from cxdaily.core.safe_text import visible

if TYPE_CHECKING:
    from cxdaily.connectors.email_fetch import FetchRun, Item

#: Messages and bytes read from the Sent folder per fetch at most; the rest comes with
#: the next fetch.
MAX_SENT_PER_FETCH = 200
MAX_SENT_BYTES = 16 * 2**20


def sent_folder(session: ImapSession, configured: str | None) -> str | None:
    """The Sent folder: ``configured`` (``sent_folder``) when set, else the folder the
    server marks ``\\Sent``, else ``None``."""
    return configured or session.special_use("\\Sent")


def same_folder(one: str, other: str) -> bool:
    """Whether two folder names name one folder (``INBOX`` is the same in any case)."""
    return one == other or one.upper() == other.upper() == "INBOX"


def folders_to_search(
    session: ImapSession, folder: str, configured_sent: str | None, *more: str
) -> list[str]:
    """``folder``, the Sent folder (:func:`sent_folder`) and ``more``, in that order, each
    once."""
    found: list[str] = []
    for name in (folder, sent_folder(session, configured_sent), *more):
        if name and not any(same_folder(name, known) for known in found):
            found.append(name)
    return found


def sent_folder_note(session: ImapSession, configured: str | None) -> str:
    """Which Sent folder is read, for ``cxdaily channels test`` (one short phrase)."""
    name = sent_folder(session, configured)
    if name is None:
        return "no Sent folder found (set sent_folder to search the team's sent mail)"
    how = "configured" if configured else "marked \\Sent by the server"
    return f"Sent folder {visible(readable_folder_name(name), 80)} ({how})"


def read_sent(run: FetchRun, prior: Any) -> tuple[list[Item], dict[str, Any] | None]:
    """The team's messages filed in the Sent folder since ``prior`` (the ``sent`` part of
    the checkpoint), and that part's next value; nothing without a Sent folder."""
    box = run.box
    session = box.session
    name = sent_folder(session, box.sent_folder)
    if name is None or same_folder(name, box.folder):
        return [], None
    prior = prior if isinstance(prior, dict) else {}
    try:
        folder = session.open_folder(name)
        last = kept_uid(prior, folder) if prior.get("folder") == name else None
        criteria = ["SINCE", imap_date(run.window)] if last is None else ["UID", f"{last + 1}:*"]
        items, _, _, new_last = run.read_new(
            folder, last or 0, criteria, most=MAX_SENT_PER_FETCH, budget=MAX_SENT_BYTES
        )
    except ConnectorError as exc:  # the questions still come; the next fetch tries again
        run.warn(f"the team's sent mail in {name} was not read: {exc}")
        return [], prior or None
    team = [i for i in items if box.is_team(i.sender) and not i.mail.automated]
    for item in team:
        item.folder = name
    return team, {"folder": name, "uidvalidity": folder.uidvalidity, "last_uid": new_last}
