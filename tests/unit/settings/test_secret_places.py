"""No two secrets are read from one place: a config where a channel's or destination's
secret would come from the same variable as another secret (or as cxdaily's own: the team
database's password, the served app's token) is refused with one line naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import load_settings

ZENDESK = 'kind = "zendesk"\nsubdomain = "acme"\nemail = "ceo@acme.com"\n'
X = 'kind = "x"\nuser_id = "2244994945"\n'
WEBHOOK = 'kind = "webhook"\nformat = "slack"\n'


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


def test_two_channels_whose_names_differ_only_in_punctuation_are_refused(tmp_path) -> None:
    message = error_of(tmp_path, f"[channels.acme-eu]\n{ZENDESK}\n[channels.acme_eu]\n{ZENDESK}")
    assert message == (
        "[channels.acme_eu]: its secret would be read from CXDAILY_SECRET_ACME_EU, as "
        "[channels.acme-eu]'s secret is; rename the channel"
    )


def test_a_name_meeting_another_secrets_field_is_refused(tmp_path) -> None:
    message = error_of(
        tmp_path, f"[channels.brand]\n{X}\n[channels.brand-refresh-token]\n{ZENDESK}"
    )
    assert "CXDAILY_SECRET_BRAND_REFRESH_TOKEN" in message
    assert "[channels.brand]'s refresh_token" in message
    assert message.startswith("[channels.brand-refresh-token]:")


def test_a_destination_meeting_a_channels_secret_is_refused(tmp_path) -> None:
    message = error_of(
        tmp_path, f"[channels.brand]\n{X}\n[destinations.brand-refresh-token]\n{WEBHOOK}"
    )
    assert message.startswith("[destinations.brand-refresh-token]: its secret would be read")
    assert message.endswith("rename the destination")


TEAM = '[team]\nurl = "postgresql://anna@db.acme.example/cx"\nmember = "Anna"\n'


@pytest.mark.parametrize(
    ("name", "what", "config"),
    [
        ("team", "the team database's password", TEAM),
        ("Team", "the team database's password", TEAM),
        ("serve-token", "the served app's access token", ""),
        ("serve.token", "the served app's access token", ""),
    ],
)
def test_cxdailys_own_secrets_are_never_a_channels(
    tmp_path, name: str, what: str, config: str
) -> None:
    message = error_of(tmp_path, f'{config}[channels."{name}"]\n{ZENDESK}')
    assert what in message and message.startswith(f"[channels.{name}]")


def test_without_team_mode_a_channel_may_be_named_team(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[channels.team]\n{ZENDESK}", encoding="utf-8")
    assert set(load_settings(path).channels) == {"team"}


def test_distinct_places_are_fine(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f"[channels.acme]\n{ZENDESK}\n[channels.brand]\n{X}\n[channels.team-desk]\n{ZENDESK}\n"
        f'[destinations.slack]\n{WEBHOOK}\n[channels.inbox]\nkind = "jsonl"\npath = "in.jsonl"\n'
        '[channels.team]\nkind = "jsonl"\npath = "team.jsonl"\n',  # no secret: nothing shared
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert set(settings.channels) == {"acme", "brand", "team-desk", "inbox", "team"}
