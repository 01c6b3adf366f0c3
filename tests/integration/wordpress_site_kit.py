"""A real WordPress site on loopback for the ``wordpress`` integration test: the system's
``wordpress`` package served by PHP's built-in server, on a MariaDB server of its own.

:class:`WordPressSite` builds everything under a test folder and nothing elsewhere:

- a MariaDB data folder (``mariadb-install-db``) and a ``mariadbd`` on a free loopback
  port (``--skip-grant-tables``: no account to set up), stopped afterwards;
- a document root of symbolic links to ``/usr/share/wordpress`` with its own
  ``wp-config.php`` (the package's reads ``/etc/wordpress``), its own ``wp-content``
  (the packaged theme, and a must-use plugin that makes application passwords available
  over plain HTTP and sends no mail) and ``ABSPATH`` pointing at it (through PHP's
  ``auto_prepend_file``, since PHP resolves the links to the package's folder);
- WordPress installed by a PHP script (``wp_install``, as ``wp core install`` does), a
  user who can moderate comments with an application password, a post, a visitor's
  comment, a comment held for moderation and a comment the user already answered;
- ``php -S 127.0.0.1:PORT`` serving the site.

Without the packages the test is skipped with the reason, except under CI (``CI`` set),
where it fails: ``.ci/run`` installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.mail_servers_kit import free_port

WORDPRESS = Path("/usr/share/wordpress")
PACKAGES = "wordpress php-cli php-mysql mariadb-server"
SMALL = ("--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M")
"""A database of a few megabytes rather than a hundred (the redo log's default size)."""
USERNAME = "acme-support"
DISPLAY_NAME = "Acme Support"


def _program(name: str, *fallbacks: str) -> str | None:
    for candidate in (name, *fallbacks):
        found = shutil.which(candidate) or shutil.which(candidate, path="/usr/sbin:/usr/bin")
        if found:
            return found
    return None


def require_wordpress() -> dict[str, str]:
    """The programs a real site needs; skips the test without them (fails under CI)."""
    programs = {
        "php": _program("php"),
        "mariadbd": _program("mariadbd", "mysqld"),
        "install_db": _program("mariadb-install-db", "mysql_install_db"),
    }
    missing = [name for name, path in programs.items() if path is None]
    if not (WORDPRESS / "wp-settings.php").exists():
        missing.append("the wordpress package")
    elif programs["php"] is not None:
        modules = subprocess.run([programs["php"], "-m"], capture_output=True, text=True,
                                 timeout=30).stdout.lower().split()  # fmt: skip
        if "mysqli" not in modules:
            missing.append("PHP's mysqli module")
    if missing:
        reason = f"a real WordPress site needs {', '.join(missing)} (apt-get install {PACKAGES})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return {name: path for name, path in programs.items() if path is not None}


def _wait_for_port(port: int, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    shown = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start on port {port}: {shown}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


_MU_PLUGIN = """<?php
// The test site: application passwords over plain HTTP on loopback, and no mail.
add_filter('wp_is_application_passwords_available', '__return_true');
function wp_mail() { return true; }
"""

_SETUP = r"""<?php
// Install WordPress and add what the test reads; prints the ids as JSON.
$db = new mysqli('127.0.0.1', 'root', '', '', (int) getenv('WP_TEST_DB_PORT'));
$db->query('CREATE DATABASE IF NOT EXISTS wordpress');
$db->close();
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = getenv('WP_TEST_HOST');
$_SERVER['REQUEST_URI'] = '/';
require_once ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Acme Blog', 'admin', 'admin@acme.example', false, '', wp_generate_password(24));
global $wp_rewrite;  // pretty permalinks, so /wp-json/ is the REST root
$wp_rewrite->set_permalink_structure('/%postname%/');
flush_rewrite_rules();
$user = wp_insert_user([
    'user_login' => getenv('WP_TEST_USER'), 'user_pass' => wp_generate_password(24),
    'user_email' => 'support@acme.example', 'display_name' => getenv('WP_TEST_NAME'),
    'role' => 'editor',
]);
list($password) = WP_Application_Passwords::create_new_application_password(
    $user, ['name' => 'cxdaily']
);
$post = wp_insert_post(['post_title' => 'Release 2.0', 'post_content' => 'We shipped 2.0.',
                        'post_status' => 'publish', 'post_author' => 1]);
$at = time() - 600;
function visitor($post, $name, $text, $approved, $at, $parent = 0, $user = 0) {
    $who = $user ? get_userdata($user) : null;
    return wp_insert_comment([
        'comment_post_ID' => $post, 'comment_parent' => $parent, 'user_id' => $user,
        'comment_author' => $who ? $who->display_name : $name,
        'comment_author_email' => $who ? $who->user_email : strtolower($name) . '@example.org',
        'comment_content' => $text, 'comment_approved' => $approved,
        'comment_date_gmt' => gmdate('Y-m-d H:i:s', $at),
        'comment_date' => get_date_from_gmt(gmdate('Y-m-d H:i:s', $at)),
    ]);
}
$question = visitor($post, 'Jane', "Does 2.0 fix <b>sync</b>?\n\nIt fails every night.", 1, $at);
$held = visitor($post, 'Carl', 'Is there a refund for the old plan?', 0, $at + 60);
$answered = visitor($post, 'Dana', 'Where are the docs?', 1, $at + 120);
visitor($post, '', 'Here: https://acme.example/docs', 1, $at + 180, $answered, $user);
echo json_encode(['user' => $user, 'password' => $password, 'post' => $post,
                  'question' => $question, 'held' => $held, 'answered' => $answered]);
"""


class WordPressSite:
    """WordPress and its database on loopback, built under ``folder``."""

    def __init__(self, folder: Path, programs: dict[str, str]) -> None:
        self.folder = folder
        self.programs = programs
        self.db_port = free_port()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ids: dict[str, Any] = {}
        self._db: subprocess.Popen | None = None
        self._php: subprocess.Popen | None = None

    @property
    def app_password(self) -> str:
        """The application password of :data:`USERNAME` (shown in groups of four)."""
        return str(self.ids["password"])

    def start(self) -> WordPressSite:
        """Start the database, install WordPress and serve it; stops what started on failure."""
        try:
            self._start_database()
            self._build_site()
            self._install()
            self._serve()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the web server and the database, and remove the database's files."""
        _stop(self._php)
        _stop(self._db)
        shutil.rmtree(self.folder / "db", ignore_errors=True)

    def _start_database(self) -> None:
        data, log = self.folder / "db", self.folder / "mariadb.log"
        as_root = ["--user=root"] if os.getuid() == 0 else []
        subprocess.run(
            [self.programs["install_db"], "--no-defaults", f"--datadir={data}", *as_root,
             "--auth-root-authentication-method=normal", "--skip-test-db",
             "--skip-name-resolve", *SMALL],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self._db = subprocess.Popen(
            [self.programs["mariadbd"], "--no-defaults", f"--datadir={data}", *as_root,
             f"--socket={self.folder / 'db.sock'}", f"--port={self.db_port}",
             "--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve",
             f"--pid-file={self.folder / 'db.pid'}", f"--log-error={log}",
             "--skip-log-bin", *SMALL],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.db_port, 60, "mariadbd", log)

    def _build_site(self) -> None:
        root = self.folder / "site"
        content = self.folder / "wp-content"
        for path in (root, content / "themes", content / "plugins", content / "mu-plugins",
                     content / "uploads"):  # fmt: skip
            path.mkdir(parents=True, exist_ok=True)
        for entry in WORDPRESS.iterdir():
            if entry.name not in ("wp-config.php", "wp-content"):
                (root / entry.name).symlink_to(entry)
        themes = WORDPRESS / "wp-content" / "themes"
        for theme in themes.iterdir() if themes.is_dir() else ():
            (content / "themes" / theme.name).symlink_to(theme)
        (content / "mu-plugins" / "cxdaily-test.php").write_text(_MU_PLUGIN)
        keys = "".join(
            f"define('{name}', '{os.urandom(16).hex()}');\n"
            for name in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                         "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
        )  # fmt: skip
        (root / "wp-config.php").write_text(
            "<?php\n"
            "define('DB_NAME', 'wordpress');\ndefine('DB_USER', 'root');\n"
            f"define('DB_PASSWORD', '');\ndefine('DB_HOST', '127.0.0.1:{self.db_port}');\n"
            "define('DB_CHARSET', 'utf8mb4');\ndefine('DB_COLLATE', '');\n"
            f"define('WP_CONTENT_DIR', '{content}');\n"
            f"define('WP_HOME', '{self.url}');\ndefine('WP_SITEURL', '{self.url}');\n"
            "define('WP_ENVIRONMENT_TYPE', 'local');\n"
            "define('WP_HTTP_BLOCK_EXTERNAL', true);\ndefine('DISABLE_WP_CRON', true);\n"
            "define('AUTOMATIC_UPDATER_DISABLED', true);\ndefine('WP_DEBUG', false);\n"
            f"{keys}$table_prefix = 'wp_';\n"
            "require_once ABSPATH . 'wp-settings.php';\n"
        )
        (self.folder / "prepend.php").write_text(f"<?php\ndefine('ABSPATH', '{root}/');\n")
        (self.folder / "setup.php").write_text(_SETUP)

    def _php_command(self, *args: str) -> list[str]:
        return [self.programs["php"], "-d", f"auto_prepend_file={self.folder / 'prepend.php'}",
                "-d", "display_errors=stderr", *args]  # fmt: skip

    def _install(self) -> None:
        env = {**os.environ, "WP_TEST_DB_PORT": str(self.db_port),
               "WP_TEST_HOST": f"127.0.0.1:{self.port}", "WP_TEST_USER": USERNAME,
               "WP_TEST_NAME": DISPLAY_NAME}  # fmt: skip
        done = subprocess.run(
            self._php_command(str(self.folder / "setup.php")),
            capture_output=True, text=True, timeout=120, env=env, cwd=self.folder,
        )  # fmt: skip
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"installing WordPress failed: {done.stderr[-2000:]}{done.stdout}")
        self.ids = json.loads(lines[-1])

    def _serve(self) -> None:
        log = self.folder / "php.log"
        with log.open("wb") as out:
            self._php = subprocess.Popen(
                self._php_command("-S", f"127.0.0.1:{self.port}", "-t", str(self.folder / "site")),
                stdout=out, stderr=subprocess.STDOUT, cwd=self.folder,
            )  # fmt: skip
        _wait_for_port(self.port, 30, "php -S", log)
        time.sleep(0.1)
