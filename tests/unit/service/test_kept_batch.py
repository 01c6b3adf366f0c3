"""The day's batch kept after a fetch: shown by the next launch only while it is exactly
what curating would give (the same day, store, settings and code), and never a
problem when it is missing, damaged, stale, or cannot be written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from msgspec.structs import replace

from cxdaily import curation
from cxdaily.core.errors import StoreError
from cxdaily.core.models import InsightEntry
from cxdaily.curation import Batch
from cxdaily.curation.batch import LeftOut, batch_document, batch_from_json
from cxdaily.service import Service
from cxdaily.service import kept_batch as kept_module
from cxdaily.service.kept_batch import KEPT_BATCH_FILE, LISTED_LEFT_OUT
from cxdaily.store.derived import read_derived, write_derived
from cxdaily.store.storage import encode_data


@pytest.fixture
def service(home: Path) -> Iterator[Service]:
    """The demo profile with its inbox fetched, opened for writing."""
    with Service.open("demo") as opened:
        assert not opened.refresh().failed
        yield opened


@pytest.fixture
def kept(service: Service) -> Batch:
    """The batch curated and kept, as after a fetch."""
    batch = service.batch(keep=True)
    assert batch.items and batch.left_out
    return batch


def _kept_file(service: Service) -> Path:
    return service.locations.data_dir / KEPT_BATCH_FILE


def _shown(batch: Batch) -> Batch:
    """``batch`` as it is kept: the left-out questions the start screen lists, the
    others counted by reason."""
    return batch.shortened(LISTED_LEFT_OUT)


def test_the_kept_batch_is_the_batch_curated_now(service: Service, kept: Batch):
    shown = service.kept_batch()
    assert shown is not None
    assert shown == _shown(kept) == _shown(service.batch())
    assert shown.items == kept.items and shown.excluded == kept.excluded
    assert shown.must_see_left_out == kept.must_see_left_out
    listed = [e for n, e in enumerate(kept.left_out) if n < LISTED_LEFT_OUT or e.item.must_see]
    assert list(shown.left_out) == listed
    assert shown.left_out_counts() == kept.left_out_counts()
    assert shown.with_must_see() == _shown(kept).with_must_see()
    assert _kept_file(service).stat().st_mode & 0o777 == 0o600


def test_a_shortened_batch_lists_the_must_see_and_counts_the_rest(kept: Batch):
    short = kept.shortened(2)
    assert short.items == kept.items and short.budget_s == kept.budget_s
    must_see = [e for e in kept.left_out if e.item.must_see]
    first_others = [e for e in kept.left_out[:2] if not e.item.must_see]
    assert must_see and len(kept.left_out) > len(must_see) + 2
    assert [e for e in short.left_out if e.item.must_see] == must_see
    assert [e for e in short.left_out if not e.item.must_see] == first_others
    counted = len(kept.left_out) - len(must_see) - len(first_others)
    assert sum(n for _, n in short.unlisted_reasons) == counted
    assert short.left_out_counts() == kept.left_out_counts()
    assert short.shortened(2) == short and kept.shortened(len(kept.left_out)) == kept
    assert short.with_must_see().items == kept.with_must_see().items


def test_nothing_is_kept_unless_asked(service: Service):
    service.batch()
    assert service.kept_batch() is None
    assert not _kept_file(service).exists()


def test_a_batch_of_another_budget_is_not_kept(service: Service):
    service.batch(service.settings.session.budget_s + 600, keep=True)
    assert not _kept_file(service).exists()


def test_an_action_makes_it_stale(service: Service, kept: Batch):
    service.skip(kept.items[0].question.id)
    assert service.kept_batch() is None
    assert kept.items[0].question.id not in {i.question.id for i in service.batch().items}


def _old_month_file(service: Service, folder: str) -> Path:
    """A month's file of ``folder`` (``actions``, ``sessions``) from before the months
    curation reads (a year before its window)."""
    since = service.daily.window_start(service.context.now())
    month = f"{since.year - 1}-{since.month:02d}"
    return service.locations.data_dir / folder / f"{month}.json"


@pytest.mark.parametrize("folder", ["actions", "sessions"])
def test_a_change_to_a_month_curation_does_not_read_keeps_it(
    service: Service, kept: Batch, folder: str
):
    """The key holds the files of the months curation reads (its window, and the day
    before for sessions) and only the names of the older months: years of history cost
    a launch nothing, and a month before the window changing, a reply recovered after a
    crash recording its action a year back say, changes no batch."""
    old = _old_month_file(service, folder)
    old.parent.mkdir(exist_ok=True)
    old.write_text('{"' + folder + '": {}}')
    kept_again = service.batch(keep=True)  # the month is new: its name is in the key
    old.write_text('{"' + folder + '": {"1": {"id": "x"}}}')
    os.utime(old, ns=(1, 1))
    assert service.kept_batch() == _shown(kept_again)
    old.unlink()  # a month's file gone (or one appearing) changes the key
    assert service.kept_batch() is None


def test_a_change_in_the_months_curation_reads_makes_it_stale(service: Service, kept: Batch):
    service.skip(kept.items[0].question.id)  # this month's actions file
    again = service.batch(keep=True)
    assert service.kept_batch() == _shown(again)
    months = service.store.activity.files_until("9999-12")
    assert months is not None and months[0]
    path = service.locations.data_dir / "actions" / f"{months[0][-1][0]}.json"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert service.kept_batch() is None


def test_a_session_makes_it_stale(service: Service, kept: Batch):
    service.start_session(kept)
    assert service.kept_batch() is None


def test_a_fetch_makes_it_stale_until_kept_again(service: Service, kept: Batch):
    service.refresh()
    assert service.kept_batch() is None
    again = service.batch(keep=True)
    assert service.kept_batch() == _shown(again)


def test_the_next_day_finds_the_batch_kept_for_it(service: Service, kept: Batch):
    """Kept beside today's: the next day's batch as curated when that day begins, so the
    first launch of the morning opens at once even without a fetch in between."""
    assert service.keep_batch()  # as `cxdaily fetch` and closing the app do
    days = service.settings.session.days
    now = service.context.now()
    next_start = days.start_of(days.today(now) + timedelta(days=1))
    service.context.now = lambda: next_start + timedelta(hours=4, minutes=30)
    shown = service.kept_batch()
    assert shown is not None and shown != _shown(kept)
    service.context.now = lambda: next_start
    assert shown == _shown(service.batch())  # what curating as that day began gives
    service.context.now = lambda: next_start + timedelta(days=1)
    assert service.kept_batch() is None  # the day after: curated again


def test_later_the_same_day_it_is_still_shown(service: Service, kept: Batch):
    earlier = service.context.now
    later = earlier() + timedelta(minutes=20)
    assert service.today_start(later) == service.today_start(earlier())
    service.context.now = lambda: later
    assert service.kept_batch() == _shown(kept)


def test_the_apps_refresh_keeps_only_todays_batch(service: Service, kept: Batch):
    """The refresh's thread curates once: the next day's batch is left to `cxdaily fetch`
    and to the app's closing (keep_batch), which then find it missing."""
    days = service.settings.session.days
    next_start = days.start_of(days.today(service.context.now()) + timedelta(days=1))
    assert not service.daily.kept.holds(next_start, service.settings.session.budget_s)
    assert service.keep_batch()
    assert service.daily.kept.holds(next_start, service.settings.session.budget_s)


def test_keep_batch_curates_only_when_the_kept_ones_are_stale(service: Service):
    assert service.keep_batch()
    kept = service.kept_batch()
    assert kept is not None
    written = _kept_file(service).stat().st_mtime_ns
    assert not service.keep_batch()  # current: nothing curated, nothing written
    assert _kept_file(service).stat().st_mtime_ns == written
    service.skip(kept.items[0].question.id)
    assert service.kept_batch() is None
    assert service.keep_batch()
    assert service.kept_batch() == _shown(service.batch())


def test_other_settings_curate_again(service: Service, kept: Batch):
    settings = service.context.settings
    curation = replace(settings.curation, vip_handles=frozenset({"@someone"}))
    service.context.settings = replace(settings, curation=curation)
    assert service.kept_batch() is None


def test_other_code_curates_again(service: Service, kept: Batch, monkeypatch):
    monkeypatch.setattr(kept_module, "_curating_code", lambda: ((1, 2, 3),))
    assert service.kept_batch() is None


def test_the_code_identity_changes_with_any_source_and_needs_them_all(tmp_path: Path):
    (tmp_path / "curation").mkdir()
    for name in ("curation/a.py", "curation/b.py", "daily.py"):
        (tmp_path / name).write_text("x = 1\n")
    names = ("curation", "daily.py")
    first = kept_module.code_identity(tmp_path, names)
    assert first is not None and len(first) == 3
    assert kept_module.code_identity(tmp_path, names) == first
    (tmp_path / "curation/b.py").write_text("x = 2\n")  # same size, a later time
    os.utime(tmp_path / "curation/b.py", ns=(1, 1))
    edited = kept_module.code_identity(tmp_path, names)
    assert edited is not None and edited != first
    (tmp_path / "curation/c.py").write_text("")
    assert kept_module.code_identity(tmp_path, names) not in (first, edited)
    (tmp_path / "daily.py").unlink()
    assert kept_module.code_identity(tmp_path, names) is None
    assert kept_module.code_identity(tmp_path, ()) is None


def test_unknown_code_keeps_nothing(service: Service, monkeypatch):
    monkeypatch.setattr(kept_module, "_curating_code", lambda: None)
    service.batch(keep=True)
    assert not _kept_file(service).exists()
    assert service.kept_batch() is None


def test_a_store_changed_while_curating_is_not_kept(service: Service, monkeypatch):
    curate = curation.curate  # what the service curates with
    first = service.batch().items[0].question.id

    def curate_then_skip(*args, **kwargs):
        batch = curate(*args, **kwargs)
        service.skip(first)  # another thread of the app acts meanwhile
        return batch

    monkeypatch.setattr(curation, "curate", curate_then_skip)
    service.batch(keep=True)
    assert service.kept_batch() is None
    assert not _kept_file(service).exists()  # not even under the key it was curated for


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-40] + b"x" * 39 + b"\n",  # the checksum catches it
        lambda raw: b"",
        lambda raw: raw.split(b"\n")[0] + b"\n",  # the body is gone
        lambda raw: b"\x00\xff" * 100,
    ],
)
def test_a_damaged_file_curates_again(service: Service, kept: Batch, damage):
    path = _kept_file(service)
    path.write_bytes(damage(path.read_bytes()))
    assert service.kept_batch() is None
    assert service.batch(keep=True) == kept
    assert service.kept_batch() == _shown(kept)


@pytest.mark.parametrize(
    "days",
    [
        None,
        "none",
        [["2026-11-23"]],
        [[1, {}]],
        "TODAY items",
        "TODAY budget",
        "TODAY left out",
        "TODAY excluded",
    ],
)
def test_a_file_of_another_shape_curates_again(service: Service, kept: Batch, days):
    found = read_derived(service.store.folder, KEPT_BATCH_FILE)
    assert found is not None
    today = service.today_start().isoformat()
    bodies = {
        "TODAY items": {"items": [{"question": {"id": 1}}], "budget_s": 60},
        "TODAY budget": {"items": [], "budget_s": -1, "left_out": [], "excluded": []},
        "TODAY left out": {
            "items": [],
            "budget_s": 60,
            "left_out": [[{}, "why"]],
            "excluded": [],
        },
        "TODAY excluded": {"items": [], "budget_s": 60, "left_out": [], "excluded": [["x"]]},
    }
    named = isinstance(days, str) and days in bodies
    body = {"days": [[today, bodies[days]]]} if named else {"days": days}
    write_derived(service.store.folder, KEPT_BATCH_FILE, found[0], body)
    assert service.kept_batch() is None
    write_derived(service.store.folder, KEPT_BATCH_FILE, found[0], [body])
    assert service.kept_batch() is None


def test_a_file_that_is_not_a_regular_file_curates_again(service: Service, kept: Batch):
    path = _kept_file(service)
    path.unlink()
    path.mkdir()
    assert service.kept_batch() is None
    assert service.batch(keep=True) == kept  # nothing written, nothing raised


def test_a_read_only_store_reads_it_and_writes_nothing(service: Service, kept: Batch):
    locations, settings = service.locations, service.settings
    service.close()
    with Service(locations, settings, read_only=True) as reader:
        assert reader.kept_batch() == _shown(kept)
    _kept_file(service).unlink()
    with Service(locations, settings, read_only=True) as reader:
        reader.batch(keep=True)
        assert reader.kept_batch() is None
    assert not _kept_file(service).exists()


def test_a_full_disk_loses_only_the_kept_batch(service: Service, monkeypatch):
    from cxdaily.store import derived

    def full(path: Path, data: bytes) -> None:
        raise StoreError(f"cannot write {path}: No space left on device")

    monkeypatch.setattr(derived, "atomic_write_bytes", full)
    batch = service.batch(keep=True)
    assert batch.items and service.kept_batch() is None


def test_team_mode_keeps_nothing(service: Service, monkeypatch: pytest.MonkeyPatch):
    from cxdaily.settings.team import TeamSettings

    settings = service.context.settings
    team = TeamSettings(
        url="postgresql://ada@db.example/cx",
        member="Ada",
        host="db.example",
        port=5432,
        database="cx",
        role="ada",
        sslmode="verify-full",
    )
    service.context.settings = replace(settings, team=team)
    service.batch(keep=True)
    assert not _kept_file(service).exists()
    curated: list[object] = []
    monkeypatch.setattr(service.daily, "_curate_and_keep", lambda *a: curated.append(a))
    assert service.keep_batch() is False  # closing the app curates nothing to throw away
    assert curated == [] and not _kept_file(service).exists()


def _read_back(batch: Batch) -> Batch:
    return batch_from_json(encode_data(batch_document(batch)))


def test_the_document_reads_back_whole(kept: Batch):
    assert _read_back(kept) == kept
    assert _read_back(_shown(kept)) == _shown(kept)
    must_see = kept.with_must_see()
    assert _read_back(must_see) == must_see
    assert all(isinstance(entry, LeftOut) for entry in _read_back(kept).left_out)


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: doc["items"][0].update(estimate_s=-5),
        lambda doc: doc["items"][0].update(urgent=1),
        lambda doc: doc["items"][0].update(score="high"),
        lambda doc: doc["items"][0]["question"].update(created_at="yesterday"),
        lambda doc: doc["items"][0]["question"].pop("body"),
        lambda doc: doc.update(unlisted_reasons=[["lower value", -1]]),
        lambda doc: doc.update(left_out=[["why"]]),
    ],
)
def test_a_batch_of_another_shape_is_refused(kept: Batch, damage):
    document = batch_document(kept)
    damage(document)
    with pytest.raises(ValueError, match="not a batch as cxdaily writes one"):
        batch_from_json(encode_data(document))


KEY_IN_A_PROCESS = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from cxdaily.curation import CurationSettings
from cxdaily.service.context import ServiceContext
from cxdaily.service.kept_batch import KeptBatch
from cxdaily.settings import Settings
from cxdaily.store import Store

now = datetime(2026, 12, 1, 9, tzinfo=UTC)
names = frozenset(f"@leader{n}" for n in range(12))
emails = frozenset(f"vip{n}@example.com" for n in range(12))
settings = Settings(curation=CurationSettings(vip_handles=names, vip_emails=emails))
with Store(Path(sys.argv[1]), curation=settings.curation) as store:
    context = ServiceContext(Path(sys.argv[1]), settings, store, lambda: now)
    print(KeptBatch(context, lambda at: at - timedelta(days=61)).key(1800))
"""


def test_the_key_does_not_depend_on_the_process(tmp_path: Path):
    """Sets of settings (VIP handles, emails, organisations) are ordered by each process's
    hash seed: the same store and settings make the same key in every process."""
    keys = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [sys.executable, "-c", KEY_IN_A_PROCESS, str(tmp_path / "data")]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
        keys.add(done.stdout.strip())
    assert len(keys) == 1 and len(keys.pop()) == 32


class _Pairs(msgspec.Struct):
    pairs: list[tuple[str, int]]


def test_a_derived_body_decodes_into_its_type_or_reads_as_nothing(service: Service):
    folder = service.store.folder
    write_derived(folder, "pairs.json", "k1", {"pairs": [["a", 1], ["b", 2]]})
    assert read_derived(folder, "pairs.json", _Pairs) == ("k1", _Pairs([("a", 1), ("b", 2)]))
    assert read_derived(folder, "pairs.json") == ("k1", {"pairs": [["a", 1], ["b", 2]]})
    write_derived(folder, "pairs.json", "k1", {"pairs": [["a", "one"]]})
    assert read_derived(folder, "pairs.json", _Pairs) is None
    write_derived(folder, "pairs.json", "k1", [1, 2])
    assert read_derived(folder, "pairs.json", _Pairs) is None


def test_only_todays_batch_is_decoded(service: Service, kept: Batch, monkeypatch):
    decoded: list[bytes] = []
    real = kept_module.batch_from_json

    def counting(raw):
        decoded.append(bytes(raw))
        return real(raw)

    monkeypatch.setattr(kept_module, "batch_from_json", counting)
    days = service.settings.session.days
    next_start = days.start_of(days.today(service.context.now()) + timedelta(days=1))
    service.keep_batch()  # today's and tomorrow's
    found = read_derived(service.store.folder, KEPT_BATCH_FILE)
    assert found is not None and len(found[1]["days"]) == 2
    assert service.kept_batch() == _shown(kept)
    assert len(decoded) == 1
    assert next_start.isoformat() in dict(found[1]["days"])


# -- an action of the command line ------------------------------------------------------
def test_an_action_through_the_command_line_keeps_todays_batch_without_its_question(
    service: Service, kept: Batch
):
    picked = kept.items[0].question.id
    left_out = _shown(kept).left_out[0].item.question.id
    with service.batch_kept_through(picked):
        service.tag(picked, InsightEntry(tags=("pricing",)))
    after = service.kept_batch()
    assert after is not None and after == _shown(kept).without(picked)
    assert picked not in {item.question.id for item in service.batch().items}  # as curated
    found = read_derived(service.store.folder, KEPT_BATCH_FILE)
    assert found is not None and len(found[1]["days"]) == 1  # the next day's: kept again later
    with service.batch_kept_through(left_out):  # one listed as left out: no longer listed
        service.tag(left_out, InsightEntry(tags=("pricing",)))
    again = service.kept_batch()
    assert again is not None and again.items == after.items
    assert left_out not in {entry.item.question.id for entry in again.left_out}


def test_a_kept_batch_already_stale_is_not_kept_by_an_action(service: Service, kept: Batch):
    first, second = (item.question.id for item in kept.items[:2])
    service.tag(first, InsightEntry(tags=("pricing",)))  # by the app: the kept batch is stale
    with service.batch_kept_through(second):
        service.tag(second, InsightEntry(tags=("pricing",)))
    assert service.kept_batch() is None  # curated again at the next launch


def test_an_action_that_fails_leaves_the_kept_batch_as_it_was(service: Service, kept: Batch):
    picked = kept.items[0].question.id
    before = _kept_file(service).read_bytes()
    with pytest.raises(RuntimeError), service.batch_kept_through(picked):
        raise RuntimeError("the action failed")
    assert _kept_file(service).read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [("tag", "--tag", "bug"), ("reply", "--text", "Thanks for telling us, it is fixed now.")],
    ids=["tag", "reply"],
)
def test_a_command_line_action_leaves_the_next_launch_a_current_kept_batch(
    home: Path, capsys, command
):
    from cxdaily.cli import main

    with Service.open("demo") as service:
        assert not service.refresh().failed
        picked = service.batch(keep=True).items[0].question.id
    verb, *rest = command
    code = main(["--demo", verb, picked, *rest, *(["--yes"] if verb == "reply" else [])])
    assert code == 0, capsys.readouterr().err
    with Service.open("demo", read_only=True) as service:
        kept = service.kept_batch()
        assert kept is not None and picked not in {i.question.id for i in kept.items}
