"""A real PostgreSQL server on loopback for the team-mode integration tests.

:class:`PostgresServer` runs ``initdb`` in a temporary folder and starts ``postgres`` on a
free loopback port with its Unix socket in that folder, and stops it afterwards (it can
be stopped and started again on the same port, for the offline tests). As root, where
``initdb`` refuses to run, both run as the ``postgres`` user the system package creates
(``runuser``), in a folder that user owns.

Without the PostgreSQL programs the tests that need them are skipped with the reason,
except under CI (``CI`` set), where a missing server is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from cxdaily.settings.team import TeamSettings, team_from_dict
from cxdaily.team.setup_sql import roles_sql, schema_sql
from tests.integration.mail_servers_kit import free_port

ADMIN = "cxdaily_admin"
ADMIN_PASSWORD = "admin-pass-for-tests"
SERVER_USER = "postgres"
"""Who runs the server when the tests run as root (the system package's user)."""


def leader_password(role: str) -> str:
    """The password the kit gives a leader's role."""
    return f"pw-{role}-Zq8"


def postgres_bin() -> Path:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``; skips without them (fails
    under CI)."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))]
    for folder in candidates:
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    reason = "PostgreSQL is not installed (apt-get install postgresql)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.as_root = os.getuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="cxdaily-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.running = False
        if self.as_root:
            import pwd

            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.folder.chmod(0o700)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", SERVER_USER, "--"] if self.as_root else []
        done = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, cwd=self.folder
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            shown = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]} {shown}")

    def start(self) -> PostgresServer:
        """initdb (the first time), then start the server and wait until it accepts."""
        if not self.data.exists():
            password_file = self.folder / "admin-password"
            password_file.write_text(ADMIN_PASSWORD + "\n")
            if self.as_root:
                import pwd

                user = pwd.getpwnam(SERVER_USER)
                os.chown(password_file, user.pw_uid, user.pw_gid)
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                ADMIN,
                f"--pwfile={password_file}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c fsync=off -c max_connections=80"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.running = True
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut, as in an outage)."""
        if self.running:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        """A superuser connection (autocommit)."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=ADMIN,
            password=ADMIN_PASSWORD,
            dbname=dbname,
            autocommit=True,
        )

    def team_database(
        self, name: str, leaders: list[str], *, schema: bool = True, password: str | None = None
    ) -> None:
        """A new database set up as ``cxdaily team init`` prints it (``schema=False``:
        roles and the empty schema only, for the apps to migrate); every leader gets
        ``password`` when given, else :func:`leader_password`."""
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        with self.admin(name) as conn:
            conn.execute(roles_sql(leaders))
            for role in leaders:
                secret = password or leader_password(role)
                conn.execute(f"ALTER ROLE {role} PASSWORD '{secret}'")
            if schema:
                conn.execute(schema_sql())

    def settings(self, database: str, role: str, member: str, **extra: object) -> TeamSettings:
        """The ``[team]`` settings of a leader of ``database``."""
        url = f"postgresql://{role}@127.0.0.1:{self.port}/{database}"
        team = team_from_dict({"url": url, "member": member, **extra})
        assert team is not None
        return team

    def connect_as(self, database: str, role: str) -> psycopg.Connection:
        """A leader's own connection (autocommit)."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=role,
            password=leader_password(role),
            dbname=database,
            autocommit=True,
        )


def race_for_claims(
    port: int, database: str, role: str, keys: list[str], start: object, results: object
) -> None:
    """A leader process claiming every key as fast as it can (after ``start`` is set),
    each claim through the same write path as the app; puts (role, keys won) on
    ``results``."""
    from datetime import UTC, datetime

    from cxdaily.team.database import apply_write, connect
    from cxdaily.team.writes import TeamWrite, WriteKind

    url = f"postgresql://{role}@127.0.0.1:{port}/{database}"
    settings = team_from_dict({"url": url, "member": role.title()})
    assert settings is not None
    won = []
    with connect(settings, leader_password(role)) as conn:
        start.wait(30)  # type: ignore[attr-defined]
        for key in keys:
            now = datetime.now(UTC)
            write = TeamWrite(f"c-{key}", WriteKind.CLAIM, now, {"key": key, "question_id": key})
            with conn.transaction():
                outcome = apply_write(conn, write, role.title(), 900, now)
            if outcome is not None and outcome.won:
                won.append(key)
    results.put((role, won))  # type: ignore[attr-defined]


def migrate_once(port: int, database: str, role: str, start: object, results: object) -> None:
    """A leader process migrating the team schema (after ``start`` is set); puts (role,
    version, migrations it applied) on ``results``."""
    from cxdaily.team.database import connect
    from cxdaily.team.migrate import migrate

    url = f"postgresql://{role}@127.0.0.1:{port}/{database}"
    settings = team_from_dict({"url": url, "member": role.title()})
    assert settings is not None
    with connect(settings, leader_password(role)) as conn:
        start.wait(30)  # type: ignore[attr-defined]
        version, applied = migrate(conn)
    results.put((role, version, applied))  # type: ignore[attr-defined]
