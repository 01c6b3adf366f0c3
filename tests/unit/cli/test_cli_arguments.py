"""The command line's argument building blocks: a command group's actions, each run by
its handler, with ``--json`` described once, and size-capped free text."""

from __future__ import annotations

import argparse

import pytest

from cxdaily.cli.arguments import CommandGroup, CommandLineParser, capped


def _listed(args: argparse.Namespace) -> int:
    return 0


def _shown(args: argparse.Namespace) -> int:
    return 1


def _parser() -> tuple[CommandLineParser, CommandGroup]:
    parser = CommandLineParser(prog="cxdaily")
    sub = parser.add_subparsers(dest="command")
    group = CommandGroup(sub, "things", "list or show things", description="All the things.")
    return parser, group


def test_each_action_names_its_handler_and_the_group_records_which_was_chosen():
    parser, group = _parser()
    group.action("list", "every thing", _listed, json=True)
    show = group.action("show", "one thing", _shown)
    show.add_argument("name")

    listed = parser.parse_args(["things", "list", "--json"])
    shown = parser.parse_args(["things", "show", "lamp"])

    assert (listed.things_command, listed.handler, listed.json) == ("list", _listed, True)
    assert (shown.things_command, shown.handler, shown.name) == ("show", _shown, "lamp")
    assert not hasattr(shown, "json")  # only the actions that asked for it take --json


def test_json_is_described_as_one_object_per_line_unless_the_action_says_otherwise():
    _, group = _parser()
    plain = group.action("list", "every thing", _listed, json=True)
    worded = group.action("status", "the link", _shown, json="one JSON object")

    assert "one object per line" in plain.format_help()
    assert "one JSON object" in worded.format_help()


def test_an_action_takes_parser_options_and_a_group_needs_an_action(capsys):
    parser, group = _parser()
    q = group.action("add", "add a thing", _listed, description="Add a thing from a file.")

    assert "Add a thing from a file." in q.format_help()
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["things"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "cxdaily: things: the following arguments are required: ACTION; "
        "usage: `cxdaily things --help`\n"
    )


def test_capped_text_over_its_limit_is_a_one_line_usage_error(capsys):
    parser = CommandLineParser(prog="cxdaily")
    parser.add_argument("--name", type=capped(5, "a name"))

    assert parser.parse_args(["--name", "lamp"]).name == "lamp"
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["--name", "lampshade"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert err.count("\n") == 1 and "a name" in err and "5" in err
