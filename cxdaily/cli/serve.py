"""The ``serve`` subcommand: the very same app in a browser tab.

``cxdaily serve [--host 127.0.0.1] [--port 8765] [--demo] [--open] [--new-token]
[--public-url URL]`` serves the app with textual-serve (see :mod:`cxdaily.ui.serve`): each
browser session runs ``python -m cxdaily`` with Textual's web driver, so the session,
keys, drafts and outbox are the terminal's own.

On loopback (the default) no token is asked. Bound to any other address, or published
behind a reverse proxy (``--public-url``), the browser must present the access token:
made with :func:`secrets.token_urlsafe` the first time, kept in the keyring (entry
``cxdaily/serve:token``; ``CXDAILY_SECRET_SERVE_TOKEN`` wins over it), printed once in the
address when it is made, replaced with ``--new-token``.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shlex
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from cxdaily.core.safe_json import is_digits

EXIT_OK = 0
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The keyring entry of the access token: user ``serve:token`` of service ``cxdaily`` (one
#: of :data:`cxdaily.credentials.OWN_SECRETS`, which no channel's secret may share).
TOKEN_OWNER, TOKEN_FIELD = "serve", "token"
TOKEN_BYTES = 32
LAUNCH_PAGE_S = 60.0
"""How long the page that opens the token address stays (the browser reads it at once)."""
MIN_TOKEN_CHARS = 20
"""The shortest access token accepted from the environment or the keyring (one made here
is 43 characters: 32 random bytes)."""
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the command line's subcommands."""
    from cxdaily.cli.arguments import capped

    p = sub.add_parser("serve", help="the same app in a browser tab (loopback by default)")
    p.add_argument(
        "--host",
        type=capped(255, "a host"),
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; any other asks for the token)",
    )
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="serve the demo inbox (its own profile)",
    )
    p.add_argument("--open", action="store_true", help="open the address in the browser")
    p.add_argument(
        "--new-token", action="store_true", help="replace the access token (old links stop)"
    )
    p.add_argument(
        "--public-url",
        type=public_url,
        metavar="URL",
        help="the https://host a reverse proxy serves this on (asks for the token too)",
    )
    p.set_defaults(handler=cmd_serve)


def port_number(text: str) -> int:
    """An argparse ``type``: a TCP port, 1 to 65535."""
    if not is_digits(text) or not 1 <= int(text[:6]) <= 65535:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a port (1 to 65535)")
    return int(text)


def public_url(text: str) -> str:
    """An argparse ``type``: an ``http(s)://host[:port]`` address with no path, query or
    credentials (the page finds its files from the site's root)."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018  raises ValueError on a port that is not one
    except ValueError:
        raise argparse.ArgumentTypeError("the public URL is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError("the public URL must start with https:// (or http://)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise argparse.ArgumentTypeError(
            "the public URL must be the site's root, like https://cx.example.com"
        )
    return f"{parts.scheme}://{parts.netloc}"


def access_token(*, new: bool) -> tuple[str, bool]:
    """The access token and whether it was made just now (then it is shown once).

    ``CXDAILY_SECRET_SERVE_TOKEN`` wins over the keyring; otherwise the keyring's token,
    or a new one stored there (``new`` replaces it). CredentialError (one line, never the
    token) when no token can be read or kept.
    """
    from cxdaily.core.errors import CredentialError
    from cxdaily.credentials import (
        env_name,
        keyring_problem,
        read_secret,
        secret_source,
        store_secret,
    )

    variable = env_name(TOKEN_OWNER, TOKEN_FIELD)
    source = secret_source(TOKEN_OWNER, TOKEN_FIELD)
    if new and source in ("env", "invalid env"):
        raise CredentialError(
            f"{variable} is set and wins over the keyring: change or unset it to replace the token"
        )
    if not new and source in ("env", "keyring", "invalid env", "invalid keyring"):
        token = read_secret(TOKEN_OWNER, TOKEN_FIELD).strip()
        if len(token) < MIN_TOKEN_CHARS:
            where, fix = (
                (f"in {variable}", "set it to a long random value, or unset it and run "
                 "`cxdaily serve --new-token`")
                if source.endswith("env")
                else ("in the keyring", "run `cxdaily serve --new-token` for a new one")
            )  # fmt: skip
            raise CredentialError(
                f"the access token {where} is shorter than {MIN_TOKEN_CHARS} characters, so "
                f"it could be guessed: {fix}"
            )
        return token, False
    problem = keyring_problem()
    if problem:
        raise CredentialError(
            f"the access token cannot be kept: {problem}; set {variable} to a long random "
            "value, or serve on loopback (the default)"
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        store_secret(TOKEN_OWNER, TOKEN_FIELD, token)
    except CredentialError:
        raise CredentialError(
            f"the keyring refused to keep the access token; set {variable} to a long random "
            "value instead"
        ) from None
    return token, True


def address(host: str, port: int, public: str | None) -> str:
    """The address a browser opens: the public URL, or this host and port (a wildcard
    bind is shown by this machine's name)."""
    if public:
        return public + "/"
    name = socket.gethostname() if host.strip() in WILDCARD_HOSTS else host
    try:
        if ipaddress.ip_address(name).version == 6:
            name = f"[{name}]"
    except ValueError:
        pass
    return f"http://{name}:{port}/"


def app_command(demo: bool) -> str:
    """The shell command textual-serve runs for each browser session: this Python, this
    cxdaily, the same profile."""
    return shlex.join([sys.executable, "-m", "cxdaily", *(["--demo"] if demo else [])])


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app until ctrl+c; print the address (with the token when it was just
    made) once the port listens, and open it with ``--open``."""
    from cxdaily.cli import _profile
    from cxdaily.credentials import env_name
    from cxdaily.paths import locations
    from cxdaily.ui.serve.access import TOKEN_PARAM, is_loopback
    from cxdaily.ui.serve.server import CxDailyServer, ServeSettings

    demo = bool(getattr(args, "demo", False))
    needs_token = not is_loopback(args.host) or args.public_url is not None
    token, made = access_token(new=args.new_token) if needs_token else (None, False)
    os.environ.pop(env_name(TOKEN_OWNER, TOKEN_FIELD), None)  # the apps it starts never see it
    settings = ServeSettings(
        command=app_command(demo),
        host=args.host,
        port=args.port,
        data_dir=locations(_profile(args)).data_dir,
        token=token,
        public_url=args.public_url,
    )
    url = address(args.host, args.port, args.public_url)
    token_url = f"{url}?{TOKEN_PARAM}={token}" if token else url

    def ready() -> None:
        if token and made:
            print(f"open: {token_url}", flush=True)
            print(
                "cxdaily: the token is shown only now and kept in the keyring; "
                "`cxdaily serve --new-token` replaces it",
                flush=True,
            )
        elif token:
            print(
                "cxdaily: browsers that opened the token address before are let in; "
                "`cxdaily serve --new-token` prints a new one",
                flush=True,
            )
        what = "the demo inbox" if demo else "cxdaily"
        print(f"cxdaily: serving {what} on {url} (ctrl+c stops)", flush=True)
        if args.open:
            opening = launch_page(token_url) if token else None
            target = opening.as_uri() if opening else url
            threading.Thread(target=_open_browser, args=(target, opening), daemon=True).start()

    CxDailyServer(settings).run(on_ready=ready)
    return EXIT_OK


def launch_page(url: str) -> Path:
    """A page that sends the browser on to ``url`` (the token address), written for the
    owner only in a private folder: the browser is opened with the page's path, so the
    token is never on its command line, which every user of the machine can read. The
    page goes once the browser had time to read it, or when cxdaily ends."""
    import atexit
    import html
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cxdaily-serve-"))  # mode 0700
    page = folder / "open.html"
    target = html.escape(url, quote=True)
    with os.fdopen(os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(
            f'<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">'
            f'<meta http-equiv="refresh" content="0;url={target}"><title>cxdaily</title>'
            f'<a href="{target}">Open cxdaily</a>\n'
        )
    atexit.register(shutil.rmtree, folder, True)
    return page


def _open_browser(url: str, page: Path | None = None) -> None:
    """Open ``url`` in the default browser (a failure is one line on stderr); remove the
    launch ``page`` it opens once the browser had :data:`LAUNCH_PAGE_S` to read it."""
    import shutil
    import time
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print("cxdaily: no browser could be opened here; open the address above", file=sys.stderr)
    if page is not None:
        time.sleep(LAUNCH_PAGE_S if opened else 0)
        shutil.rmtree(page.parent, ignore_errors=True)
