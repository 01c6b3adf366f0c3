"""The ``destinations`` subcommand: the digest destinations and their kinds.

- ``cxdaily destinations list [--json]``: every ``[destinations.NAME]`` table, where it
  sends (no secret), where its secret would come from, and the last period it was sent;
- ``cxdaily destinations kinds [KIND] [--json]``: every destination kind, or one kind's
  options and secrets, from its declaration (as ``cxdaily channels kinds`` does).

Destinations are added by editing the config file (``cxdaily locate config``); the README
has a table for each kind. Sending is ``cxdaily digest --send``.
"""

from __future__ import annotations

import argparse
from typing import Any

from cxdaily.cli.arguments import CommandGroup
from cxdaily.cli.json_lines import print_json
from cxdaily.core.safe_text import one_line

EXIT_OK = 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``destinations`` to the command line's subcommands."""
    from cxdaily.cli.channel_kinds import add_kinds_action

    destinations = CommandGroup(sub, "destinations", "the digest's destinations and their kinds")
    destinations.action(
        "list",
        "every destination, its secret's source, last send",
        cmd_destinations_list,
        json=True,
    )
    add_kinds_action(destinations, "destination", cmd_destinations_kinds)


def describe_destination_kind(kind: str) -> dict[str, Any]:
    """A destination kind's declaration as data: summary, options, secrets."""
    from cxdaily.cli.channel_kinds import secrets_of
    from cxdaily.connectors.destinations import destination_class

    cls = destination_class(kind)
    return {
        "kind": kind,
        "summary": cls.summary,
        "options": [option.to_dict() for option in cls.declared_options],
        **secrets_of(cls),
        "itemwise": cls.itemwise,
    }


def cmd_destinations_kinds(args: argparse.Namespace) -> int:
    """List every destination kind, or one kind's options and secrets."""
    from cxdaily.cli.channel_kinds import _print_kind  # one layout for every kind listing
    from cxdaily.connectors.destinations import destination_kinds

    kinds = [
        describe_destination_kind(k) for k in ([args.kind] if args.kind else destination_kinds())
    ]
    if args.json:
        for kind in kinds:
            print_json(kind)
    elif args.kind:
        _print_kind(kinds[0])
    else:
        width = max(len(k["kind"]) for k in kinds)
        for kind in kinds:
            print(f"{kind['kind']:<{width}}  {one_line(kind['summary'], 160)}")
        print("show one kind's options with `cxdaily destinations kinds KIND`")
    return EXIT_OK


def cmd_destinations_list(args: argparse.Namespace) -> int:
    """Print every destination: kind, where it sends, its secret's source, last send."""
    from cxdaily.cli import _open
    from cxdaily.connectors.destinations import destination_class
    from cxdaily.core.clock import to_iso
    from cxdaily.credentials import secret_source

    with _open(args, read_only=True) as service:
        statuses = service.digest_destinations()
    for status in statuses:
        cls = destination_class(status.kind)
        secrets = {f or "secret": secret_source(status.name, f) for f in cls.secret_fields}
        last = status.last
        if args.json:
            print_json(
                {
                    "name": status.name,
                    "kind": status.kind,
                    "target": status.target,
                    "secrets": secrets,
                    "last_period": last.label if last else None,
                    "last_sent_at": to_iso(last.sent_at) if last and last.sent_at else None,
                }
            )
            continue
        secret_text = ", ".join(f"{k}: {v}" for k, v in secrets.items()) or "no secret needed"
        if secrets and cls.secret_optional:
            secret_text += " (optional)"
        sent = (
            f"last sent {to_iso(last.sent_at)} for {last.label}"
            if last and last.sent_at
            else "never sent"
        )
        print(f"{one_line(status.name)}  {status.kind}  {one_line(status.target, 100)}")
        print(f"    {secret_text}; {sent}")
    if not statuses and not args.json:
        print("no destinations configured; add a [destinations.NAME] table to the config file")
    return EXIT_OK
