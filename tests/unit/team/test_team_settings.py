"""The ``[team]`` table: the URL without a password, TLS unless loopback, the member."""

from __future__ import annotations

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.settings import settings_from_dict, settings_to_dict
from cxdaily.settings.team import DEFAULT_CLAIM_S, team_from_dict, team_to_dict


def team(url: str, **extra: object):
    return team_from_dict({"url": url, "member": "Anna Berg", **extra})


def test_a_remote_host_gets_verify_full_by_default():
    settings = team("postgresql://anna@db.acme.com:6432/cxdaily")
    assert (settings.host, settings.port, settings.database) == ("db.acme.com", 6432, "cxdaily")
    assert settings.role == "anna" and settings.sslmode == "verify-full"
    assert settings.claim_s == DEFAULT_CLAIM_S
    assert settings.where == "db.acme.com:6432/cxdaily as anna"


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_a_remote_host_without_tls_is_refused(mode):
    with pytest.raises(ConfigError, match="only a loopback host may go without TLS"):
        team(f"postgresql://anna@db.acme.com/cxdaily?sslmode={mode}")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_a_loopback_host_may_go_without_tls(host):
    settings = team(f"postgresql://anna@{host}/cxdaily?sslmode=disable")
    assert settings.sslmode == "disable"


def test_a_unix_socket_folder_counts_as_this_machine():
    settings = team("postgresql://anna@/cxdaily?host=/run/postgresql")
    assert settings.host == "/run/postgresql" and settings.sslmode == "prefer"


def test_a_password_in_the_url_is_refused_without_being_repeated():
    with pytest.raises(ConfigError) as caught:
        team("postgresql://anna:hunter2secret@db.acme.com/cxdaily")
    assert "hunter2secret" not in str(caught.value)
    assert "cxdaily login team" in str(caught.value)


@pytest.mark.parametrize("query", ["password=x", "passfile=/tmp/p", "options=-c%20x"])
def test_parameters_other_than_tls_and_name_are_refused(query):
    with pytest.raises(ConfigError, match="is not allowed"):
        team(f"postgresql://anna@db.acme.com/cxdaily?{query}")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://anna@db/cxdaily", "must start with postgresql://"),
        ("postgresql://db.acme.com/cxdaily", "role as its user"),
        ("postgresql://anna@db.acme.com/", "one database name"),
        ("postgresql://anna@db.acme.com/cxdaily?sslmode=maybe", "is not one of"),
    ],
)
def test_a_wrong_url_is_one_line_naming_the_problem(url, problem):
    with pytest.raises(ConfigError, match=problem) as caught:
        team(url)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("member", ["", "  ", "Anna\nBerg", "x" * 65, 7])
def test_the_member_name_is_one_short_line(member):
    with pytest.raises(ConfigError, match="member"):
        team_from_dict({"url": "postgresql://anna@localhost/cxdaily", "member": member})


def test_claim_for_reads_a_duration_within_bounds():
    assert team("postgresql://anna@localhost/c", claim_for="5m").claim_s == 300
    with pytest.raises(ConfigError, match="claim_for"):
        team("postgresql://anna@localhost/c", claim_for="10s")


def test_the_password_is_passed_on_its_own_never_in_a_url():
    settings = team("postgresql://anna@db.acme.com/cxdaily?sslrootcert=/etc/ca.pem")
    arguments = settings.connect_arguments("s3cret", 3)
    assert arguments["password"] == "s3cret"
    assert arguments["sslrootcert"] == "/etc/ca.pem" and arguments["sslmode"] == "verify-full"
    assert "s3cret" not in settings.url and "password" not in settings.connect_arguments(None, 3)


def test_the_table_round_trips_through_the_config_document():
    raw = {
        "team": {"url": "postgresql://anna@localhost/cxdaily", "member": "Anna", "claim_for": "20m"}
    }
    settings = settings_from_dict(raw)
    assert settings.team is not None and settings.team.claim_s == 1200
    assert settings_to_dict(settings)["team"] == raw["team"]
    assert team_to_dict(None) == {}
    assert settings_from_dict({}).team is None


def test_an_unknown_team_setting_is_named():
    with pytest.raises(ConfigError, match=r"unknown setting \[team\] password"):
        team_from_dict({"url": "postgresql://a@localhost/c", "member": "A", "password": "x"})
