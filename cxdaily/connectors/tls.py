"""The verified TLS contexts every connection shares, one per certificate store.

Loading a store's certificates takes about 20 ms of CPU, and every fetch round, send and
channel test opens connections: HTTP clients, IMAP and SMTP sessions. Each kind of
context is made once per store instead (a store is named by ``SSL_CERT_FILE`` and
``SSL_CERT_DIR``, read when it is asked for, so setting either takes effect), and the
app's periodic fetch no longer holds the interpreter that long while the leader types.
Connections share a context safely: nothing changes it once made but the protocol list
the HTTP layer sets on it for each connection, always the same one (HTTP/1.1).
"""

from __future__ import annotations

import os
import ssl
from functools import lru_cache

from cxdaily.core.errors import ConfigError


def verified_tls() -> ssl.SSLContext:
    """The context of the HTTP clients, as httpx's ``verify=True`` makes it: the
    certificates of ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set, else certifi's."""
    return _context("httpx", *_store())


def system_tls() -> ssl.SSLContext:
    """The context of the mail connections, as :func:`ssl.create_default_context`
    makes it: the system's certificates (where OpenSSL finds them, ``SSL_CERT_FILE``
    and ``SSL_CERT_DIR`` included), with host names checked."""
    return _context("system", *_store())


def _store() -> tuple[str | None, str | None]:
    return os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")


@lru_cache(maxsize=8)
def _context(kind: str, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The context of ``kind`` for one certificate store (the store's names are its
    key: both makers read them from the environment); a ConfigError saying what to do
    when the store named cannot be read."""
    try:
        if kind == "httpx":
            import httpx  # only HTTP clients need it: mail connections do without

            return httpx.create_ssl_context(verify=True)
        return ssl.create_default_context()
    except OSError as exc:  # ssl.SSLError too: a file that holds no certificate
        named = f"SSL_CERT_FILE={cert_file}" if cert_file else f"SSL_CERT_DIR={cert_dir}"
        reason = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
        raise ConfigError(
            f"the TLS certificates of {named} cannot be used ({reason}): "
            "point it at a PEM bundle of certificates, or unset it"
        ) from None
