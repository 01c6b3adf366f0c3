"""The channel line says how many questions are new, not how many were fetched, and
leaves no channel "fetching" when a refresh fails as a whole."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from cxdaily.store.repositories import ChannelStatus
from cxdaily.ui.screens.start import StartScreen
from cxdaily.ui.widgets.channel_status import status_content
from tests.ui.pilot_kit import SMALL, make_app, screen_lines


@pytest.mark.parametrize(
    ("count", "added", "words"),
    [
        (95, 95, "95 new"),
        (95, 3, "3 new of 95"),
        (95, 0, "nothing new"),
        (95, None, "95 fetched"),  # a status recorded before new questions were counted
    ],
)
def test_the_channel_line_says_what_is_new(fixed_now, count, added, words):
    status = ChannelStatus(
        channel="portal", last_attempt_at=fixed_now, last_success_at=fixed_now,
        count=count, added=added,
    )  # fmt: skip
    shown = status_content([status], set(), fixed_now).plain
    assert words in shown
    if words != "95 new":
        assert "95 new" not in shown


def test_an_error_line_leaves_out_the_request_so_the_cause_shows(fixed_now):
    """At 80 columns the URL took the line: "✗ fedi GET https://mastodon.example/api/v1/
    accounts/verify_cred…", the cause cut off."""
    url = "https://mastodon.example/api/v1/accounts/verify_credentials"
    status = ChannelStatus(
        channel="fedi",
        last_attempt_at=fixed_now,
        error=f"fedi: GET {url}: refused the credentials (HTTP 401)",
    )
    shown = status_content([status], set(), fixed_now).plain
    assert shown.startswith("✗ fedi refused the credentials (HTTP 401)") and url not in shown


def test_with_many_channels_the_summary_counts_the_failures_first(fixed_now):
    """With 14 channels and 13 failing it read "✓ 1 of 14 channels fetched" over two of
    the failures: the count of failures, in the error's colour, leads now."""
    ok = ChannelStatus(channel="good", last_attempt_at=fixed_now, last_success_at=fixed_now)
    bad = [
        ChannelStatus(channel=f"bad{n}", last_attempt_at=fixed_now, error=f"bad{n}: refused")
        for n in range(13)
    ]
    lines = status_content([ok, *bad], set(), fixed_now).plain.splitlines()
    assert lines[0] == "✗ 13 of 14 channels failed, 1 fetched · cxdaily channels list shows each"
    assert lines[1].startswith("✗ bad0 refused") and len(lines) == 3
    healthy = status_content([ok] * 4, set(), fixed_now).plain
    assert healthy == "✓ 4 of 4 channels fetched · cxdaily channels list shows each"


@pytest.mark.parametrize("size", [SMALL, (60, 15)], ids=["80x24", "60x15"])
async def test_a_refresh_that_fails_as_a_whole_leaves_no_channel_fetching(
    service, monkeypatch, tmp_path, size
):
    """An unusable certificate store stops the whole refresh before any channel is
    asked: the error is told once, whole even on the smallest terminal, and the channel
    line no longer says "fetching"."""
    bundle = tmp_path / "missing.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    app, recorder = make_app(service)
    async with app.run_test(size=size, notifications=True) as pilot:
        for _ in range(100):
            await app.workers.wait_for_complete()
            await pilot.pause()
            start = app.screen
            if isinstance(start, StartScreen) and not start.refreshing and recorder.calls:
                break
        assert isinstance(start, StartScreen)
        errors = [call["message"] for call in recorder.calls if call.get("severity") == "error"]
        message = (
            f"the TLS certificates of SSL_CERT_FILE={bundle} cannot be used (No such file "
            "or directory): point it at a PEM bundle of certificates, or unset it"
        )
        assert errors == [message]
        await pilot.pause()
        toast = [row.split("▌", 1)[1] for row in screen_lines(app) if "▌" in row]
        shown = "".join("".join(row.rstrip(" │─╯╮").split()) for row in toast)
        assert "".join(message.split()) in shown  # wrapped, never cut at the edge
        channels = start.query_one("#start-channels", Static).render()
        assert "demo" in str(channels) and "fetching" not in str(channels)


async def test_with_every_channel_failing_the_start_screen_says_nothing_will_come(
    write_config, ui_home
):
    """It said "Nothing waiting right now." as if all were well."""
    from cxdaily.service import Service
    from tests.ui.pilot_kit import plain

    missing = ui_home / "gone.jsonl"
    write_config(f'[channels.file]\nkind = "jsonl"\npath = "{missing}"\n')
    with Service.open() as service:
        app, _ = make_app(service)
        async with app.run_test(size=SMALL) as pilot:
            for _ in range(100):
                await app.workers.wait_for_complete()
                await pilot.pause()
                start = app.screen
                if isinstance(start, StartScreen) and not start.refreshing:
                    break
            assert isinstance(start, StartScreen)
            said = plain(start.query_one("#start-list", Static))
    assert said.startswith("Nothing to answer: no channel could be fetched.")
    assert "cxdaily channels test" in said
