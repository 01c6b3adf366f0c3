"""The streak's days from the kept settled days and the recent records are exactly those
of a fold of every record: launch after launch across month starts, in home zones far
from UTC, from custom day starts, with sessions crossing month starts, actions stored
without a day, clocks that ran ahead or were set back, after the zone or day start
changed, and when the kept file is damaged."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from cxdaily.core.models import Action, Disposition, Session
from cxdaily.paths import Locations
from cxdaily.service.context import ServiceContext
from cxdaily.service.progress import Progress
from cxdaily.service.streak_days import SETTLED_FILE, StreakDays
from cxdaily.settings import SessionSettings, Settings
from cxdaily.store import Store
from cxdaily.store.activity import ActivityRepository
from cxdaily.store.derived import read_derived
from cxdaily.streaks import compute_streak, daily_activity, daily_totals, record_day
from cxdaily.streaks.rules import StreakRules
from cxdaily.streaks.settled import SettledDays, settled_from_document

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
ADAK = ZoneInfo("America/Adak")  # UTC-10, -9 in summer
BERLIN = ZoneInfo("Europe/Berlin")
#: The home zone and day start in force when records were made: they change every 20 days.
RECORDED_WITH = [(KIRITIMATI, time(4, 0)), (ADAK, time(0, 0)), (BERLIN, time(23, 30))]
RULES = StreakRules(min_handled=2, min_minutes=25, max_freezes=2, batches_per_freeze=2)
FIRST, LAST = date(2026, 6, 20), date(2026, 11, 24)
DISPOSITIONS = [*[Disposition.ANSWERED] * 3, Disposition.TAGGED, Disposition.HANDED_OFF]
DISPOSITIONS += [Disposition.SKIPPED, Disposition.SNOOZED]

Event = tuple[datetime, Action | Session]  # written at that instant (the clock's time)


def _settings(timezone: str, day_start: time) -> Settings:
    return Settings(session=SessionSettings(timezone=timezone, day_start=day_start), streak=RULES)


def _session(rng: random.Random, start: datetime, events: list[Event]) -> None:
    """A session from ``start``: its actions, and its end (or none: the app was killed)."""
    zone, day_start = RECORDED_WITH[start.toordinal() // 20 % len(RECORDED_WITH)]
    sid = f"s{start:%Y%m%d%H%M}"
    planned = tuple(f"{sid}:q{n}" for n in range(rng.randint(1, 4)))
    at = start
    events.append((start, Session(sid, start, 1800, planned)))
    for question in planned:
        at += timedelta(minutes=rng.randint(1, 45))
        if rng.random() < 0.1:
            continue  # never dealt with: the batch is not finished
        if rng.random() < 0.05:
            at += timedelta(hours=rng.choice([13, 40]))  # back in the same session much later
        day = None if rng.random() < 0.25 else record_day(at, zone, day_start, start)
        action = Action(question, rng.choice(DISPOSITIONS), at, sid, day=day)
        if rng.random() < 0.03:  # written by a clock two days ahead
            events.append((at - timedelta(days=2), action))
        elif rng.random() < 0.03:  # written by a clock set back three days
            events.append((at, replace(action, at=at - timedelta(days=3))))
        else:
            events.append((at, action))
    if rng.random() > 0.1:
        end = at + timedelta(minutes=rng.randint(0, 20))
        events.append((end, Session(sid, start, 1800, planned, ended_at=end)))


def _history(seed: int) -> list[Event]:
    """Five months of sessions most days at any hour, one crossing every month start,
    and actions outside sessions, with and without a stored day."""
    rng = random.Random(seed)
    events: list[Event] = []
    day = FIRST
    while day <= LAST:
        if rng.random() < 0.8:
            hour = rng.choice([0, 2, 3, 9, 13, 20, 22, 23])
            _session(rng, datetime.combine(day, time(hour, rng.randrange(60)), UTC), events)
        if (day + timedelta(days=1)).day == 1:  # the last day of a month, late in UTC
            _session(rng, datetime.combine(day, time(23, 40), UTC), events)
        if rng.random() < 0.2:
            at = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), UTC)
            zone, day_start = RECORDED_WITH[at.toordinal() // 20 % len(RECORDED_WITH)]
            stored = None if rng.random() < 0.5 else record_day(at, zone, day_start)
            events.append((at, Action(f"lone:{at:%m%d%H%M}", Disposition.ANSWERED, at, day=stored)))
        day += timedelta(days=1)
    return sorted(events, key=lambda event: event[0])


def _write(store: Store, events: list[Event]) -> None:
    for _, record in events:
        if isinstance(record, Session):
            store.activity.save_session(record)
        else:
            store.activity.record(record, f"{record.question_id}@{record.at:%Y%m%d%H%M%S}")


def _context(data_dir: Path, store: Store, settings: Settings, now: datetime) -> ServiceContext:
    where = Locations(data_dir.parent / "config.toml", data_dir, data_dir.parent / "themes")
    return ServiceContext(where, settings, store, lambda: now)


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[datetime | None]:
    """The ``since`` of every read of actions (``None``: every action was read)."""
    reads: list[datetime | None] = []
    read = ActivityRepository.actions

    def counting(self: ActivityRepository, since: datetime | None = None) -> list[Action]:
        reads.append(since)
        return read(self, since)

    monkeypatch.setattr(ActivityRepository, "actions", counting)
    return reads


def _launch(data_dir: Path, settings: Settings, now: datetime, reads: list) -> list:
    """A launch at ``now``: its days and streak equal those of a fold of every record;
    returns the ``since`` of each read of actions it made (``None``: every action)."""
    session = settings.session
    zone, day_start = session.zone, session.day_start
    with Store(data_dir) as store:
        context = _context(data_dir, store, settings, now)
        reads.clear()
        days = StreakDays(context).totals(now, zone, day_start)
        made = list(reads)
        streak = Progress(context).streak()
        actions, sessions = store.activity.actions(), store.activity.sessions()
    activity = daily_activity(actions, sessions, now, zone, day_start)
    assert days == daily_totals(activity), f"days at {now}"
    full = compute_streak(actions, now, zone, day_start, rules=RULES, sessions=sessions)
    assert streak.calendar == full.calendar
    assert streak.counted_days == full.counted_days and streak.frozen_days == full.frozen_days
    assert (streak.current, streak.longest, streak.freezes) == (
        full.current,
        full.longest,
        full.freezes,
    )
    assert streak == full
    return made


def _replay(
    data_dir: Path, events: list[Event], nows: list[datetime], settings: Settings, reads: list
) -> list[datetime]:
    """Write the records as the clock reaches them and launch at each of ``nows``;
    returns the launches that read every action."""
    written, full = 0, []
    for now in nows:
        upto = next((n for n, (at, _) in enumerate(events) if at > now), len(events))
        if upto > written:
            with Store(data_dir) as store:
                _write(store, events[written:upto])
            written = upto
        if None in _launch(data_dir, settings, now, reads):
            full.append(now)
    return full


def _kept(data_dir: Path) -> SettledDays | None:
    """The settled days the data folder keeps."""
    with Store(data_dir, read_only=True) as store:
        found = read_derived(store.folder, SETTLED_FILE)
    return settled_from_document(found[1]) if found else None


def _nows(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    while start <= end:
        yield start
        start += step


@pytest.mark.parametrize(
    ("timezone", "day_start", "seed"),
    [
        ("Pacific/Kiritimati", time(4, 0), 1),
        ("America/Adak", time(0, 0), 2),
        ("UTC", time(4, 0), 3),
        ("Europe/Berlin", time(23, 30), 4),
    ],
)
def test_every_launch_has_the_days_and_streak_of_a_fold_of_every_record(
    tmp_path, full_reads, timezone, day_start, seed
):
    events = _history(seed)
    start = datetime(2026, 7, 1, 7, tzinfo=UTC)
    nows = list(_nows(start, datetime(2026, 11, 24, 23, tzinfo=UTC), timedelta(hours=61)))
    nows[40:40] = [nows[39] - timedelta(days=45), nows[39] - timedelta(days=1)]  # set back
    settings = _settings(timezone, day_start)
    full = _replay(tmp_path / "data", events, nows, settings, full_reads)
    # every action is read by the first launch and the one set back before the cut, and
    # at most twice more (after a clock set back wrote into a month the kept days cover)
    assert full[:2] == [nows[0], nows[40]] and len(full) <= 4, f"{len(full)} of {len(nows)}"


def test_the_kept_days_serve_across_a_month_change_reading_only_recent_months(tmp_path, full_reads):
    data_dir, settings = tmp_path / "data", _settings("Pacific/Kiritimati", time(4, 0))
    events = _history(5)
    october = datetime(2026, 10, 12, 9, tzinfo=UTC)
    assert _replay(data_dir, events, [october], settings, full_reads) == [october]
    kept = _kept(data_dir)
    assert kept is not None and kept.cut.month == 9 and len(kept.days) > 60
    november = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with Store(data_dir) as store:  # what the leader did since, up to the next launch
        _write(store, [(at, record) for at, record in events if october < at <= november])
    assert _launch(data_dir, settings, november, full_reads) == [kept.cut]  # and moved on
    moved = _kept(data_dir)
    assert moved is not None and moved.cut.month == 10 and moved.cut > kept.cut
    assert moved.days.items() > kept.days.items()
    assert _launch(data_dir, settings, november, full_reads) == [moved.cut]


@pytest.mark.parametrize(
    ("timezone", "day_start"),
    [
        ("America/Adak", time(0, 0)),
        ("America/Adak", time(4, 0)),
        ("Pacific/Kiritimati", time(4, 0)),
        ("UTC", time(9, 15)),
    ],
)
def test_a_new_zone_or_day_start_works_the_days_out_again(
    tmp_path, full_reads, timezone, day_start
):
    data_dir = tmp_path / "data"
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    _replay(data_dir, _history(6), [now], _settings("Pacific/Kiritimati", time(0, 0)), full_reads)
    changed = _settings(timezone, day_start)
    assert None in _launch(data_dir, changed, now, full_reads)
    assert None not in _launch(data_dir, changed, now, full_reads)  # kept again


def test_a_change_to_a_past_month_works_the_days_out_again(tmp_path, full_reads):
    data_dir, settings = tmp_path / "data", _settings("Pacific/Kiritimati", time(4, 0))
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    _replay(data_dir, _history(9), [now], settings, full_reads)
    with Store(data_dir) as store:  # a reply sent before a crash, recorded at its time
        late = Action("recovered", Disposition.ANSWERED, datetime(2026, 9, 3, 10, tzinfo=UTC))
        store.activity.record(late, "recovered")
    assert None in _launch(data_dir, settings, now, full_reads)
    with Store(data_dir) as store:  # and undone again
        assert store.activity.forget("recovered", late.at)
    assert None in _launch(data_dir, settings, now, full_reads)
    assert None not in _launch(data_dir, settings, now, full_reads)


def _change_a_count(raw: bytes) -> bytes:
    """The file with one day's count of handled questions changed (still valid JSON)."""
    found = re.search(rb'\["\d{4}-\d{2}-\d{2}",(\d)', raw)
    assert found is not None
    digit = b"%d" % ((int(found[1]) + 1) % 10)
    return raw[: found.start(1)] + digit + raw[found.end(1) :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"\x00garbage{",
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"",
        _change_a_count,
        lambda raw: raw.replace(b'"key":"', b'"key":"0', 1),  # another code version or data
    ],
    ids=["garbage", "cut-off", "empty", "a-count-changed", "another-key"],
)
def test_a_damaged_settled_file_is_ignored_and_rewritten(tmp_path, full_reads, damage):
    data_dir, settings = tmp_path / "data", _settings("America/Adak", time(4, 0))
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    _replay(data_dir, _history(7), [now], settings, full_reads)
    path = data_dir / SETTLED_FILE
    whole = path.read_bytes()
    path.write_bytes(damage(whole))
    assert None in _launch(data_dir, settings, now, full_reads)  # no error: worked out again
    assert path.read_bytes() == whole and path.stat().st_mode & 0o777 == 0o600
    assert None not in _launch(data_dir, settings, now, full_reads)


def test_a_settled_file_that_cannot_be_read_or_written_is_never_an_error(tmp_path, full_reads):
    data_dir, settings = tmp_path / "data", _settings("UTC", time(4, 0))
    (data_dir / SETTLED_FILE).mkdir(parents=True)  # a folder in its place
    nows = [datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 20, 10, tzinfo=UTC)]
    assert _replay(data_dir, _history(8), nows, settings, full_reads) == nows
    assert (data_dir / SETTLED_FILE).is_dir()


def test_a_late_action_in_a_session_left_open_is_counted_as_by_a_full_fold(tmp_path, full_reads):
    data_dir, settings = tmp_path / "data", _settings("UTC", time(4, 0))
    start = datetime(2026, 10, 2, 9, tzinfo=UTC)
    opened = Session("open", start, 1800, ("q1", "q2"))  # never ended: the app was killed
    first = Action("q1", Disposition.ANSWERED, start + timedelta(minutes=5), "open")
    november = datetime(2026, 11, 20, 9, tzinfo=UTC)
    events: list[Event] = [(start, opened), (first.at, first)]
    assert _replay(data_dir, events, [november], settings, full_reads) == [november]
    late = Action("q2", Disposition.ANSWERED, november + timedelta(hours=1), "open")
    events.append((late.at, late))  # the session now lasts to it, and its batch is done
    later = november + timedelta(hours=2)
    assert _replay(data_dir, events, [later], settings, full_reads) == [later]
    with Store(data_dir, read_only=True) as store:
        days = StreakDays(_context(data_dir, store, settings, later)).totals(
            later, settings.session.zone, settings.session.day_start
        )
    assert days[date(2026, 10, 2)].minutes == 8 * 60 and days[date(2026, 10, 2)].batches == 1


def test_the_cut_falls_between_sittings_that_cross_the_day_start(tmp_path, full_reads):
    data_dir, settings = tmp_path / "data", _settings("UTC", time(4, 0))
    events: list[Event] = []
    sittings = []
    for n in range(40):
        start = datetime(2026, 10, 1, 3, 30, tzinfo=UTC) + timedelta(days=n)  # 03:30 to 04:30
        end = start + timedelta(hours=1)
        at = start + timedelta(minutes=50)
        answer = Action(
            f"q{n}", Disposition.ANSWERED, at, f"s{n}", day=start.date() - timedelta(days=1)
        )
        events += [(start, Session(f"s{n}", start, 1800, (f"q{n}",))), (at, answer)]
        events.append((end, Session(f"s{n}", start, 1800, (f"q{n}",), ended_at=end)))
        sittings.append((start, end))
    november = datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert _replay(data_dir, events, [november], settings, full_reads) == [november]
    kept = _kept(data_dir)
    assert kept is not None and not any(start <= kept.cut <= end for start, end in sittings)
    last_settled = max(start for start, _ in sittings if start < kept.cut)
    assert kept.limit == last_settled.date()  # that sitting counted for the day before
    assert max(kept.days) == last_settled.date() - timedelta(days=1)
    assert None not in _launch(data_dir, settings, november, full_reads)
