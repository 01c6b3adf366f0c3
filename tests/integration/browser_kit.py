"""A real headless Chromium driven through the DevTools protocol, for the served app.

:class:`HeadlessChromium` starts the system's Chromium (``--headless=new``, and
``--no-sandbox`` since the test machines run as root) with DevTools on a free loopback
port, in a throwaway profile. :class:`Tab` is a small DevTools client over aiohttp's
websocket (aiohttp comes with textual-serve): navigate, evaluate JavaScript, press keys,
type, take screenshots.

The served page draws its terminal with xterm.js on a canvas, so the screen's text is
not in the DOM. Before any page script runs, :data:`TERMINAL_HOOK` catches the page's
terminal object as it is built (the first object that sets a ``fitAddon`` property) and
:meth:`Tab.screen_text` reads the terminal's buffer through it, row by row, as shown.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Runs before the page's scripts: keep the terminal object as ``window.__cxTerminal``.
TERMINAL_HOOK = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (this.terminal && !window.__cxTerminal) { window.__cxTerminal = this.terminal; }
  },
});
"""

#: The rows the terminal shows now, one string each (no trailing blanks).
SCREEN_TEXT = """
(() => {
  const terminal = window.__cxTerminal;
  if (!terminal) { return null; }
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""

#: DevTools key events: (key, code, virtual key code, text typed) of the named keys.
NAMED_KEYS = {
    "enter": ("Enter", "Enter", 13, "\r"),
    "escape": ("Escape", "Escape", 27, ""),
    "tab": ("Tab", "Tab", 9, "\t"),
    "space": (" ", "Space", 32, " "),
}
CTRL = 2


def find_chromium() -> str | None:
    """The system Chromium's path (``CXDAILY_TEST_CHROMIUM`` first), or ``None``."""
    chosen = os.environ.get("CXDAILY_TEST_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _key_event(key: str) -> dict[str, Any]:
    """The ``Input.dispatchKeyEvent`` fields of one key: a named key, ``ctrl+x`` or one
    printable character."""
    modifiers = 0
    if key.startswith("ctrl+"):
        modifiers, key = CTRL, key.removeprefix("ctrl+")
    if key in NAMED_KEYS:
        name, code, virtual, text = NAMED_KEYS[key]
    elif len(key) == 1:
        name, text = key, key
        upper = key.upper()
        code = f"Key{upper}" if upper.isalpha() and upper.isascii() else ""
        code = f"Digit{key}" if key.isdigit() else code
        virtual = ord(upper) if upper.isascii() and upper.isalnum() else 0
    else:
        raise ValueError(f"unknown key {key!r}")
    event: dict[str, Any] = {
        "key": name,
        "code": code,
        "windowsVirtualKeyCode": virtual,
        "nativeVirtualKeyCode": virtual,
        "modifiers": modifiers,
    }
    if text and not modifiers:
        event["text"] = text
        event["unmodifiedText"] = text
    return event


class Tab:
    """One browser tab, driven over its DevTools websocket."""

    def __init__(self, session: aiohttp.ClientSession, websocket_url: str) -> None:
        self._session = session
        self._url = websocket_url
        self._ids = itertools.count(1)
        self._socket: aiohttp.ClientWebSocketResponse | None = None

    async def connect(self) -> Tab:
        """Open the DevTools connection, enable the page domain and install the hook."""
        self._socket = await self._session.ws_connect(self._url, max_msg_size=0)
        await self.call("Page.enable")
        await self.call("Page.addScriptToEvaluateOnNewDocument", source=TERMINAL_HOOK)
        return self

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events are skipped)."""
        assert self._socket is not None, "connect() first"
        ident = next(self._ids)
        await self._socket.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = await asyncio.wait_for(self._socket.receive(), timeout=30)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"DevTools connection closed during {method}")
            data = json.loads(message.data)
            if data.get("id") != ident:
                continue
            if "error" in data:
                raise RuntimeError(f"{method}: {data['error'].get('message')}")
            return data.get("result", {})

    async def navigate(self, url: str) -> None:
        """Load ``url`` in this tab."""
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll a JavaScript expression until it is truthy; its value (or TimeoutError)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = await self.evaluate(expression)
            except RuntimeError:
                value = None  # the page is still loading
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:g} s for {expression.strip()[:80]!r}")
            await asyncio.sleep(0.1)

    async def screen_text(self) -> str:
        """What the page's terminal shows now ("" before it exists)."""
        return await self.evaluate(SCREEN_TEXT) or ""

    async def wait_for_text(self, needle: str, timeout: float = 30) -> str:
        """Wait until the terminal shows ``needle``; the whole screen then."""
        return await self.wait_for_match(re.compile(re.escape(needle)), timeout)

    async def wait_for_match(self, pattern: re.Pattern[str], timeout: float = 30) -> str:
        """Wait until the terminal shows text ``pattern`` matches; the whole screen then."""
        deadline = time.monotonic() + timeout
        while True:
            text = await self.screen_text()
            if pattern.search(text):
                return text
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the terminal never showed {pattern.pattern!r}; it shows:\n{text}"
                )
            await asyncio.sleep(0.1)

    async def focus_terminal(self) -> None:
        """Give the keyboard to the terminal (its hidden text area)."""
        await self.wait_for("window.__cxTerminal && (window.__cxTerminal.focus(), true)")

    async def press(self, *keys: str) -> None:
        """Press keys as a person would: key down then up (``enter``, ``ctrl+s``, ``j``)."""
        for key in keys:
            event = _key_event(key)
            await self.call("Input.dispatchKeyEvent", type="keyDown", **event)
            up = {k: v for k, v in event.items() if k not in ("text", "unmodifiedText")}
            await self.call("Input.dispatchKeyEvent", type="keyUp", **up)

    async def type_text(self, text: str) -> None:
        """Type ``text`` one key at a time."""
        for char in text:
            await self.press("space" if char == " " else char)

    async def screenshot(self, path: Path) -> Path:
        """Save what the tab shows as a PNG at ``path``."""
        result = await self.call("Page.captureScreenshot", format="png")
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))
        return path

    async def close(self) -> None:
        """Close the DevTools connection (the tab stays until the browser stops)."""
        if self._socket is not None:
            await self._socket.close()
            self._socket = None


class HeadlessChromium:
    """A headless Chromium in its own profile folder, with DevTools on loopback."""

    def __init__(self, executable: str, profile: Path) -> None:
        self.executable = executable
        self.profile = profile
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._session: aiohttp.ClientSession | None = None

    async def start(self, timeout: float = 30) -> HeadlessChromium:
        """Start the browser and wait until DevTools answers."""
        self.profile.mkdir(parents=True, exist_ok=True)
        log = (self.profile / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [
                self.executable,
                "--headless=new",
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--enable-unsafe-swiftshader",
                "--window-size=1280,800",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        active_port = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not self.port:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"Chromium's DevTools never started: {self.log_tail()}")
            lines = active_port.read_text().splitlines() if active_port.exists() else []
            if lines and lines[0].isdigit():
                self.port = int(lines[0])
            else:
                await asyncio.sleep(0.1)
        self._session = aiohttp.ClientSession()
        return self

    def log_tail(self) -> str:
        """The end of Chromium's own log (for a failure message)."""
        log = self.profile / "chromium.log"
        return log.read_text(errors="replace")[-1500:] if log.exists() else ""

    async def new_tab(self) -> Tab:
        """Open a blank tab and connect to it."""
        assert self._session is not None, "start() first"
        async with self._session.put(f"http://127.0.0.1:{self.port}/json/new?about:blank") as r:
            target = await r.json()
        return await self.attach(target)

    async def attach(self, target: dict[str, Any]) -> Tab:
        """Connect to a tab the browser lists (one the page opened, say)."""
        assert self._session is not None, "start() first"
        return await Tab(self._session, target["webSocketDebuggerUrl"]).connect()

    async def targets(self) -> list[dict[str, Any]]:
        """Every open tab, as DevTools lists them (``id``, ``url``, ...)."""
        assert self._session is not None, "start() first"
        async with self._session.get(f"http://127.0.0.1:{self.port}/json/list") as response:
            listed = await response.json()
        return [target for target in listed if target.get("type") == "page"]

    async def wait_for_new_target(
        self, before: list[dict[str, Any]], timeout: float = 30
    ) -> dict[str, Any]:
        """Wait for a tab that was not in ``before`` and has an address; that tab."""
        known = {target["id"] for target in before}
        deadline = time.monotonic() + timeout
        while True:
            for target in await self.targets():
                if target["id"] not in known and target.get("url", "").startswith("http"):
                    return target
            if time.monotonic() > deadline:
                raise TimeoutError(f"no new tab opened in {timeout:g} s")
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        """Close the browser and wait for it."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now, on ``host``."""
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class ServedApp:
    """``python -m cxdaily serve ARGS`` in a child process, until :meth:`stop`.

    :meth:`start` waits for the line saying it listens and keeps what it printed
    (``lines``); ``token_url`` is the address with the token when one was shown.
    """

    def __init__(self, env: dict[str, str], *args: str, folder: Path) -> None:
        self.env = env
        self.args = args
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []

    def start(self, timeout: float = 60) -> ServedApp:
        """Start the server; raise with its error output when it does not listen."""
        import sys
        import threading

        errors = (self.folder / "serve-stderr.txt").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cxdaily", "serve", *self.args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        errors.close()
        listening = threading.Event()

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("cxdaily: serving"):
                    listening.set()
            listening.set()  # the server stopped: start() reports it

        threading.Thread(target=read, daemon=True).start()
        if not listening.wait(timeout) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"cxdaily serve did not start: {self.error_output()}")
        return self

    def error_output(self) -> str:
        """What the server wrote on stderr (the end of it)."""
        return (self.folder / "serve-stderr.txt").read_text(errors="replace")[-2000:]

    @property
    def url(self) -> str:
        """The address the server said it serves on (``http://127.0.0.1:PORT/``)."""
        said = [line for line in self.lines if line.startswith("cxdaily: serving")]
        assert said, "start() first"
        return said[0].split(" on ", 1)[1].split(" ", 1)[0]

    @property
    def token_url(self) -> str | None:
        """The address with the token, when the server showed one."""
        shown = [line.split(" ", 1)[1] for line in self.lines if line.startswith("open: ")]
        return shown[0] if shown else None

    def stop(self, timeout: float = 30) -> int:
        """Stop the server as ctrl+c would (SIGTERM) and return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode
