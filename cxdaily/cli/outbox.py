"""``cxdaily reply``, ``cxdaily outbox list|retry|cancel`` and ``cxdaily promises``.

``reply`` goes through the same checks as the app: the channel's length limit and
signature, risky statements in a public reply, and answers by the team since the
question was loaded. A warning needs a confirmation: ``--yes``, or ``y`` at the prompt
on a terminal; otherwise nothing is sent and the text is kept as the question's draft.
The command is the leader's "send now": its reply has no undo window, while ``outbox
retry`` without an id leaves the replies the app queued inside theirs.

The reply's text is capped (:data:`cxdaily.core.limits.MAX_REPLY_CHARS` characters, above the
longest reply any supported service takes), and ``--file`` must be a regular file of
which at most :data:`cxdaily.core.limits.MAX_REPLY_FILE_BYTES` bytes are read: a FIFO,
``/dev/zero``, ``/dev/urandom`` or a folder is refused with one line, never read.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import stat
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from cxdaily.cli.arguments import CommandGroup
from cxdaily.cli.json_lines import print_json
from cxdaily.core.errors import ConnectorError, CxDailyError
from cxdaily.core.models import Reply, ReplyState
from cxdaily.core.safe_text import one_line
from cxdaily.replies.outbox_words import (
    attempts_words,
    progress_words,
    state_words,
    undo_window_words,
)

if TYPE_CHECKING:
    from cxdaily.service import Service

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 3


def _open(args: argparse.Namespace, *, read_only: bool = False, uses_channels: bool = True):
    from cxdaily.cli import _open as open_service

    return open_service(args, read_only=read_only, uses_channels=uses_channels)


def _warn(text: str) -> None:
    print(f"cxdaily: {one_line(text, 400)}", file=sys.stderr)


def _say(text: str) -> None:
    """A line of what was done, cleaned: it names ids a service chose."""
    print(one_line(text))


_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _read_body(args: argparse.Namespace) -> str:
    """The reply's text from ``--text`` or ``--file``, within the reply size limit."""
    from cxdaily.core.limits import MAX_REPLY_CHARS, length_problem

    if args.file:
        text = read_reply_file(args.file)
    else:
        text = args.text
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes in the argument (surrogateescape)
            raise CxDailyError(
                "--text is not valid UTF-8 (check the terminal's encoding, or use --file)"
            ) from None
    problem = length_problem(text, MAX_REPLY_CHARS, "the reply")
    if problem:
        raise CxDailyError(f"not sent: {problem}")
    return text


def read_reply_file(path: str) -> str:
    """A reply's text from a regular file, reading at most ``MAX_REPLY_FILE_BYTES`` + 1 bytes;
    ``-`` reads standard input (``echo hi | cxdaily reply ID --file -``).

    The file is opened without blocking (a FIFO with no writer would wait forever) and
    checked on the open descriptor, so nothing but a regular file is ever read.
    """
    from cxdaily.core.files import NotRegularFileError, open_regular_file, read_at_most
    from cxdaily.core.limits import MAX_REPLY_FILE_BYTES

    if path == "-":
        try:
            return _reply_text(sys.stdin.buffer.read(MAX_REPLY_FILE_BYTES + 1), "stdin")
        except OSError as exc:
            raise CxDailyError(f"cannot read stdin: {exc.strerror or exc}") from None
    name = one_line(path, 200)
    try:
        fd = open_regular_file(pathlib.Path(path), os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except NotRegularFileError as exc:
        kind = next((k for test, k in _FILE_KINDS if test(exc.mode)), "not a regular file")
        raise CxDailyError(f"cannot read {name}: it is {kind}; give a text file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "no such file"
        raise CxDailyError(f"cannot read {name}: {reason}") from None
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        data = read_at_most(fd, MAX_REPLY_FILE_BYTES + 1)
    except OSError as exc:
        raise CxDailyError(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return _reply_text(data, name)


def _reply_text(data: bytes, name: str) -> str:
    """The reply's text in ``data`` (read from ``name``): UTF-8 within the size limit."""
    from cxdaily.core.limits import MAX_REPLY_FILE_BYTES

    if len(data) > MAX_REPLY_FILE_BYTES:
        raise CxDailyError(
            f"cannot read {name}: it is larger than {MAX_REPLY_FILE_BYTES // 1024} KiB "
            "(the most a reply's file may hold)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CxDailyError(
            f"cannot read {name}: it is not UTF-8 text (byte {exc.start + 1})"
        ) from None


def _confirm(question: str, ask: Callable[[str], str] | None) -> bool:
    """Ask on a terminal; without one (or without an answer) the answer is no."""
    if ask is None:
        if not sys.stdin.isatty():
            return False
        ask = input
    try:
        return ask(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


# ----------------------------------------------------------------------------- reply
def cmd_reply(args: argparse.Namespace, ask: Callable[[str], str] | None = None) -> int:
    """Check a reply, queue it, and make the first attempt at sending it."""
    from cxdaily.core.safe_text import outgoing_drops
    from cxdaily.replies.checks import RISK_ADVICE

    text = _read_body(args)
    with _open(args) as service:
        review = service.review_reply(args.question_id, text)
        if review.problems:
            raise CxDailyError(f"not sent: {review.problems[0]}")
        if outgoing_drops(text):  # the customer gets what the leader sees, said once
            _warn("the reply's control characters and terminal escape sequences are left out")
        confirmed = args.yes
        if review.findings:
            print(f"cxdaily: {review.confirmation_line()}", file=sys.stderr)
            for finding in review.distinct_findings:
                words = one_line(finding.text, 60)
                advice = RISK_ADVICE[finding.kind]
                print(f'  {finding.kind.value}: "{words}": {advice}', file=sys.stderr)
            if not confirmed and not _confirm("Send it as written?", ask):
                return _not_sent(service, args, text, "--yes confirms risky statements")
        checked_at = None
        try:
            answers = service.answers_since_loaded(args.question_id)
            checked_at = service.now()
        except ConnectorError as exc:
            answers = []
            _warn(f"could not check for answers by the team ({exc}); it is checked again later")
        except Exception as exc:  # an answer nothing expected: the outbox looks again
            answers = []
            what = f"{type(exc).__name__}: {one_line(exc, 200)}"
            _warn(f"could not check for answers by the team ({what}); it is checked again later")
        if answers:
            latest = answers[-1]
            said = one_line(latest.body, 200)
            _warn(f'{latest.author.display} answered since the question was loaded: "{said}"')
            if not confirmed and not _confirm("Send yours anyway?", ask):
                return _not_sent(service, args, text, "--yes sends it anyway")
        # The command is the leader's "send now": no undo window (`outbox cancel` stays).
        with service.batch_kept_through(args.question_id):  # the next launch opens at once
            reply = service.queue_reply(args.question_id, text, checked_at=checked_at, undo=False)
            reply = service.send(reply)
        now = service.now()
    if reply.state is ReplyState.SENT:
        _say(f"sent reply {reply.id} to {args.question_id} (remote id {_remote(reply)})")
        return EXIT_OK
    _warn(f"reply {reply.id} is in the outbox, not sent yet: {_why(reply, now)}")
    return EXIT_PARTIAL


def _not_sent(service, args: argparse.Namespace, text: str, hint: str) -> int:
    if not service.draft(args.question_id):
        service.save_draft(args.question_id, text)
    _warn(f"not sent; the text is kept as the draft of {args.question_id} ({hint})")
    return EXIT_ERROR


def _remote(reply: Reply) -> str:
    """The service's id for a sent reply, as one clean line (a service chose it)."""
    return one_line(reply.remote_id or "-", 120)


def _why(reply: Reply, now: datetime) -> str:
    """Why an unsent reply waits, with what the leader can do, in one line."""
    undo = undo_window_words(reply, now)
    if reply.hold:
        last = f" (last error: {reply.error})" if reply.error else ""
        return (
            f"held: {reply.hold}{last}; `cxdaily outbox retry {reply.id}` sends it anyway, "
            f"`cxdaily outbox cancel {reply.id}` drops it"
        )
    if undo is not None:
        return (
            f"{undo}; `cxdaily outbox retry {reply.id}` sends it now, "
            f"`cxdaily outbox cancel {reply.id}` drops it"
        )
    if reply.state is ReplyState.SENDING:
        return (
            "sending, or interrupted while sending: the outcome of that attempt is checked "
            "before the reply is sent again"
        )
    when = f"; next try after {_time(reply.next_attempt_at)}" if reply.next_attempt_at else ""
    return f"{reply.error or reply.state.value}{when}"


def _time(value) -> str:
    from cxdaily.core.clock import to_iso

    return to_iso(value) if value else "-"


# ----------------------------------------------------------------------------- outbox
def cmd_outbox_list(args: argparse.Namespace) -> int:
    """Every reply and its state (``--unsent``: only those still to go out), with the
    customer it answers (``customer`` in ``--json``) and its attempts, worded as the app
    words them (:mod:`cxdaily.replies.outbox_words`)."""
    with _open(args, read_only=True, uses_channels=False) as service:
        replies = service.unsent_replies() if args.unsent else service.outbox()
        names = service.replies.customer_names(r.question_id for r in replies)
        now = service.now()
    for reply in replies:
        customer = names.get(reply.question_id, reply.question_id)
        if args.json:
            print_json({**reply.to_dict(), "customer": customer})
            continue
        # Another process may be sending it: a reply stored as sending says so as it is.
        state = state_words(reply, in_flight=True)
        print(f"{reply.id}  {state:<9} {one_line(customer, 40)}  {one_line(reply.body, 50)}")
        question = one_line(reply.question_id, 60)
        if reply.unsent:
            print(f"    {question} · {attempts_words(reply)}; {one_line(_why(reply, now), 400)}")
        elif reply.state is ReplyState.SENT:
            print(f"    {question} · sent {_time(reply.sent_at)} · {attempts_words(reply)}")
        else:
            print(f"    {question} · {attempts_words(reply)}")
    if not replies and not args.json:
        print("the outbox is empty" if not args.unsent else "nothing waits in the outbox")
    return EXIT_OK


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    """Send now: one reply (releasing its hold, skipping its undo window) or every unsent
    reply neither held nor in its undo window (those are named on stderr, exit 3). Exit 1
    when every reply tried is still in the outbox, 3 when only some are. On a terminal,
    stderr says which reply is being sent ("Sending 2 of 3: the reply to ...")."""
    with _open(args) as service:
        names: dict[str, str] = {}

        def progress(position: int, total: int, reply: Reply) -> None:
            names.update(service.replies.customer_names([reply.question_id]))
            if sys.stderr.isatty():
                customer = one_line(names[reply.question_id], 60)
                print(progress_words(position, total, customer), file=sys.stderr, flush=True)

        results = service.replies.retry(args.reply_id, progress=progress)
        held = [] if args.reply_id else [r for r in service.unsent_replies() if r.hold]
        if not args.reply_id:
            held += [r for r in service.replies_in_undo_window() if not r.hold]
        names.update(service.replies.customer_names(r.question_id for r in results + held))
        now = service.now()
    for reply in results:
        to = f"{reply.question_id} ({one_line(names.get(reply.question_id, '-'), 60)})"
        if reply.state is ReplyState.SENT:
            _say(f"sent reply {reply.id} to {to} (remote id {_remote(reply)})")
        else:
            _warn(
                f"reply {reply.id} to {to} is still in the outbox "
                f"({attempts_words(reply)}): {_why(reply, now)}"
            )
    for reply in held:
        _warn(f"reply {reply.id} {'is ' if reply.hold else ''}{_why(reply, now)}")
    if not results and not held:
        print("nothing waits in the outbox")
    failed = [r for r in results if r.state is not ReplyState.SENT]
    if failed and len(failed) == len(results):
        return EXIT_ERROR  # nothing tried went out
    return EXIT_PARTIAL if failed or held else EXIT_OK


def send_left_in_undo_window(service: Service) -> None:
    """Send now the replies the leader left the app with while their undo window ran
    (the app sends each as its window ends; left there, they would wait for the next
    launch, hours late), and say on the terminal how each went."""
    waiting = [reply for reply in service.replies_in_undo_window() if not reply.hold]
    if not waiting:
        return
    names = service.replies.customer_names(r.question_id for r in waiting)
    print(
        f"sending {len(waiting)} {'reply' if len(waiting) == 1 else 'replies'} still in the "
        "undo window when the app closed",
        flush=True,
    )
    for reply in waiting:
        to = f"{reply.question_id} ({one_line(names.get(reply.question_id, '-'), 60)})"
        try:
            (result,) = service.retry(reply.id)
        except CxDailyError as exc:
            _warn(f"reply {reply.id} to {to} is still in the outbox: {one_line(exc, 300)}")
            continue
        if result.state is ReplyState.SENT:
            _say(f"sent reply {result.id} to {to} (remote id {_remote(result)})")
        else:
            _warn(
                f"reply {result.id} to {to} is still in the outbox "
                f"({attempts_words(result)}): {_why(result, service.now())}; the app sends "
                "it when it next opens, or `cxdaily outbox retry`"
            )


def cmd_outbox_cancel(args: argparse.Namespace) -> int:
    """Drop an unsent reply (its text comes back as the draft)."""
    with _open(args) as service:
        before = service.find_reply(args.reply_id)
        reply = service.cancel(args.reply_id)  # again: finishes a cancel cut short
    if before.state is ReplyState.CANCELLED:
        _say(f"reply {reply.id} to {reply.question_id} was already cancelled")
        return EXIT_OK
    _say(f"cancelled reply {reply.id} to {reply.question_id}; its text is the draft again")
    if before.uncertain or before.state is ReplyState.SENDING:
        _warn("its last attempt may have reached the service: check the thread")
    return EXIT_OK


# ----------------------------------------------------------------------------- promises
def cmd_promises(args: argparse.Namespace) -> int:
    """The promise ledger (``--done ID`` marks one kept)."""
    if args.done:
        with _open(args) as service:
            promise = service.keep_promise(args.done)
        print(f"kept: {one_line(promise.text, 120)}")
        return EXIT_OK
    with _open(args, read_only=True, uses_channels=False) as service:
        promises = service.promises(include_kept=args.all)
        today = service.settings.session.days.today(service.now())
    for promise in promises:
        if args.json:
            print_json(promise.to_dict())
            continue
        if not promise.open:
            when = "kept"
        elif promise.due is None:
            when = "no date"
        else:
            when = promise.due.isoformat() + (" OVERDUE" if promise.overdue(today) else "")
        print(f"{promise.id}  {when:<18} {one_line(promise.question_id, 40)}")
        print(f"    {one_line(promise.text, 160)}")
    if not promises and not args.json:
        print("no open promises")
    return EXIT_OK


# ----------------------------------------------------------------------------- parser
def register(sub: argparse._SubParsersAction) -> None:
    """Add ``reply``, ``outbox`` and ``promises`` to the command line."""
    from cxdaily.core.limits import MAX_REPLY_CHARS, MAX_REPLY_FILE_BYTES

    p = sub.add_parser("reply", help="check a reply, queue it and send it")
    p.add_argument("question_id", metavar="QUESTION_ID")
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument(
        "--text", metavar="T", help=f"the reply (at most {MAX_REPLY_CHARS:,} characters)"
    )
    text.add_argument(
        "--file",
        metavar="F",
        help=(
            f"read the reply from a UTF-8 text file (at most {MAX_REPLY_FILE_BYTES // 1024} "
            "KiB); - reads stdin"
        ),
    )
    p.add_argument(
        "--yes", action="store_true", help="confirm warnings (risky words, a team answer)"
    )
    p.set_defaults(handler=cmd_reply)

    outbox = CommandGroup(sub, "outbox", "see and manage unsent replies")
    q = outbox.action(
        "list", "every reply and its state", cmd_outbox_list, json="one reply per line"
    )
    q.add_argument("--unsent", action="store_true", help="only replies still to go out")
    retry = "send now (no id: every unsent reply not held nor in its undo window)"
    q = outbox.action("retry", retry, cmd_outbox_retry)
    q.add_argument("reply_id", metavar="ID", nargs="?")
    cancel = "drop an unsent reply (its text becomes the draft)"
    q = outbox.action("cancel", cancel, cmd_outbox_cancel)
    q.add_argument("reply_id", metavar="ID")

    p = sub.add_parser("promises", help="follow-ups promised in sent replies")
    p.add_argument("--json", action="store_true", help="one promise per line")
    p.add_argument("--all", action="store_true", help="kept promises too")
    p.add_argument("--done", metavar="ID", help="mark a promise kept")
    p.set_defaults(handler=cmd_promises)
