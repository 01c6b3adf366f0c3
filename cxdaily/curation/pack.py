"""Pack the budget for the most value, with diversity, then order the session.

- *Units*: a question alone, or a near-duplicate group: its best ``group_max`` members,
  the first at its full estimate, the others at a follow-up's (the answer is at hand).
- *Greedy by value density*: units in order of value per second go in while they fit
  the budget less the reserve, and while their source stays within its share of the
  time (``channel_share``). A group enters with the members that make it densest (or
  fewer, to fit), then each further member that is worth more per second, as a quick
  follow-up, than the next choice; the others join at the end if time is left.
- *Value*: scores count cubed, so one question worth 8 outweighs four worth 4 that take
  as long, and a cheap trifle never crowds out what matters.
- *The share holds while there is a comparable choice*: a question held back goes in
  ahead of anything with less than :data:`COMPARABLE` of its value per second, and
  when only held-back questions would fit, they fill the time left.
- *Must-see first*: a must-see unit (a VIP, data loss, security, legal or churn signal:
  :func:`~cxdaily.curation.must_see.must_see_kinds`) goes in before anything that is not
  one, whatever its value per second; among themselves they follow the rules above, and
  those the share held back go in before the rest. One that still does not fit is
  listed (:attr:`~cxdaily.curation.batch.Batch.must_see_left_out`), never dropped silently.
- *Praise waits*: praise and passing mentions (:func:`~cxdaily.curation.must_see.is_passing`)
  never take time a question that needs an answer could use: they go in only when
  every such question is in (or alone is longer than the budget).
- *Session order*: urgent questions first; within the urgent ones and within the rest,
  questions on one topic side by side, the best topic first; a group stays together.

Every question left out gets one reason; the text before a colon names its kind.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from msgspec.structs import replace

from cxdaily.curation.batch import NEAR_DUPLICATE, Batch, BatchItem, LeftOut
from cxdaily.curation.estimate import follow_up_estimate
from cxdaily.curation.must_see import PASSING, is_passing, must_see_kinds
from cxdaily.curation.settings import CurationSettings
from cxdaily.curation.sources import source_name, source_of

VALUE_POWER = 3
#: The share holds only against questions of comparable value: one held back goes in
#: ahead of anything with less than this share of its value per second.
COMPARABLE = 0.25
TOO_LONG = "too long"
NO_TIME = "does not fit the time left"


@dataclass
class Unit:
    """A question or a near-duplicate group, packed as one."""

    items: list[BatchItem]
    """Members, best first; the first is the group's representative."""
    follow_ups: list[int] = field(default_factory=list)
    """Estimate of each member after the first (answered right after it)."""
    overflow: list[BatchItem] = field(default_factory=list)
    """Members beyond ``group_max``: never packed, explained with the group."""
    best: int = 1
    """Members that make the unit densest: what it enters with when it can."""
    taken: int = 0
    """Members that made the batch."""
    must_see: bool = False
    """A member is must-see: the unit goes in before the others."""

    @property
    def lead(self) -> BatchItem:
        """The representative."""
        return self.items[0]

    def estimates(self, count: int) -> list[int]:
        """Estimates of the first ``count`` members."""
        return [self.lead.estimate_s, *self.follow_ups[: count - 1]]

    def value(self, count: int) -> float:
        """Packing value of the first ``count`` members."""
        return sum(item.score**VALUE_POWER for item in self.items[:count])

    def density(self) -> float:
        """Value per second of the densest members."""
        return self.value(self.best) / max(sum(self.estimates(self.best)), 1)

    def marginal_density(self, index: int) -> float:
        """Value per second of member ``index`` (after the first) as a follow-up."""
        return self.items[index].score ** VALUE_POWER / max(self.follow_ups[index - 1], 1)


def make_units(
    ranked: Sequence[BatchItem],
    group_max: int,
    text_kinds: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Unit]:
    """Units from items in rank order (a group's unit is led by its best member).

    ``text_kinds``: the must-see kinds the items' text analyses found, by question id
    (read from the text when not given)."""
    position = {item.question.id: i for i, item in enumerate(ranked)}
    units: dict[int, Unit] = {}
    for i, item in enumerate(ranked):
        kinds = must_see_kinds(item, text_kinds.get(item.question.id) if text_kinds else None)
        if kinds:
            item = replace(item, must_see=kinds)
        # near-duplicates are listed best first: the first one leads unless this item does
        lead = position.get(item.group[0], i) if item.group else i
        unit = units.get(min(lead, i))
        if unit is None:
            units[i] = Unit(items=[item])
        elif len(unit.items) < group_max:
            unit.items.append(item)
            unit.follow_ups.append(follow_up_estimate(item.estimate_s))
        else:
            unit.overflow.append(item)
    found = [units[k] for k in sorted(units)]
    for unit in found:
        unit.must_see = any(item.must_see for item in unit.items)
        best = -1.0
        for count in range(1, len(unit.items) + 1):
            density = unit.value(count) / max(sum(unit.estimates(count)), 1)
            if density >= best:
                unit.best, best = count, density
    return found


class _Packer:
    """The greedy pass and its bookkeeping: time used, time per source."""

    def __init__(self, capacity_s: int, share: float) -> None:
        self.capacity_s = capacity_s
        self.per_source_s = share * capacity_s
        self.used = 0
        self.by_source: dict[str, int] = {}

    def fits(self, unit: Unit, start: int, count: int, capped: bool) -> bool:
        """Whether members ``start`` to ``count`` of a unit fit (and keep the share)."""
        estimates = unit.estimates(count)[start:]
        if self.used + sum(estimates) > self.capacity_s:
            return False
        if capped:
            extra: dict[str, int] = {}
            for item, seconds in zip(unit.items[start:count], estimates, strict=True):
                source = source_of(item.question)
                extra[source] = extra.get(source, 0) + seconds
            for source, seconds in extra.items():
                if self.by_source.get(source, 0) + seconds > self.per_source_s:
                    return False
        return True

    def take(self, unit: Unit, count: int) -> None:
        """Put members up to ``count`` of a unit in the batch."""
        start = unit.taken
        for item, seconds in zip(
            unit.items[start:count], unit.estimates(count)[start:], strict=True
        ):
            source = source_of(item.question)
            self.by_source[source] = self.by_source.get(source, 0) + seconds
            self.used += seconds
        unit.taken = count

    def first_fit(self, unit: Unit, capped: bool) -> int:
        """The most members (up to the densest count) that fit, or 0."""
        return next((c for c in range(unit.best, 0, -1) if self.fits(unit, 0, c, capped)), 0)


def choose(units: list[Unit], capacity_s: int, share: float) -> tuple[list[Unit], dict[int, str]]:
    """Greedy by density within capacity and per-source share; returns picks and reasons.

    ``reasons`` maps ``id(unit)`` to why a unit stayed out.
    """
    order = sorted(
        units,
        key=lambda u: (
            not u.must_see,
            -u.density(),
            -u.lead.score,
            u.lead.question.created_at,
            u.lead.question.id,
        ),
    )
    packer = _Packer(capacity_s, share)
    reasons: dict[int, str] = {}
    held: list[Unit] = []
    waiting: deque[Unit] = deque()  # held back by the share, densest first

    def admit_waiting(density: float) -> None:
        """Held-back units far more valuable than what is next go in after all."""
        while waiting and waiting[0].density() * COMPARABLE > density:
            unit = waiting.popleft()
            count = packer.first_fit(unit, capped=False)
            if count:
                packer.take(unit, count)
                reasons.pop(id(unit), None)

    # Each member of a group beyond the ones it enters with competes on its own value per
    # second as a quick follow-up: it goes in where that density ranks, once the members
    # before it are in (a near-duplicate answered right after its lead is cheap).
    follow_ups = sorted(
        ((unit.marginal_density(k), n, k) for n, unit in enumerate(order)
         for k in range(unit.best, len(unit.items))),
        reverse=True,
    )  # fmt: skip
    next_follow_up = 0

    def admit_follow_ups(density: float) -> None:
        nonlocal next_follow_up
        while next_follow_up < len(follow_ups) and follow_ups[next_follow_up][0] > density:
            _, n, k = follow_ups[next_follow_up]
            next_follow_up += 1
            unit = order[n]
            if unit.taken == k and packer.fits(unit, k, k + 1, True):
                packer.take(unit, k + 1)

    passing: list[Unit] = []  # praise and passing mentions that would fit: they wait
    must_see_done = False
    for unit in order:
        if not unit.must_see and not must_see_done:
            must_see_done = True
            _close_must_see(order, held, admit_waiting, reasons)
        admit_waiting(unit.density())
        admit_follow_ups(unit.density())
        count = packer.first_fit(unit, capped=True)
        fits = count or packer.first_fit(unit, capped=False)
        if fits and not unit.must_see and _is_passing(unit):
            passing.append(unit)
        elif count:
            packer.take(unit, count)
        elif unit.lead.estimate_s > capacity_s:
            reasons[id(unit)] = TOO_LONG
        elif fits:
            held.append(unit)
            waiting.append(unit)
            name = source_name(source_of(unit.lead.question))
            reasons[id(unit)] = f"channel share: {name} has its {round(share * 100)}% of the time"
        else:
            reasons[id(unit)] = NO_TIME
    if not must_see_done:
        _close_must_see(order, held, admit_waiting, reasons)
    admit_follow_ups(-1.0)
    admit_waiting(-1.0)  # nothing else fits: the held-back channels may use the time left
    _explain_held(order, held, reasons)
    for capped in (True, False):  # time left: more members of the groups already in
        for unit in order:
            while 0 < unit.taken < len(unit.items) and packer.fits(
                unit, unit.taken, unit.taken + 1, capped
            ):
                packer.take(unit, unit.taken + 1)
    _admit_passing(order, passing, packer, reasons)
    return [u for u in units if u.taken], reasons


def _close_must_see(
    order: list[Unit],
    held: list[Unit],
    admit_waiting: Callable[[float], None],
    reasons: dict[int, str],
) -> None:
    """Before the first unit that is not must-see: the must-see units the share held
    back go in if they fit at all, and each one still out says why (only must-see units
    are in yet, so what kept it out is one of them or the time)."""
    admit_waiting(-1.0)
    closed = [unit for unit in held if unit.must_see]
    held[:] = [unit for unit in held if not unit.must_see]
    _explain_held(order, closed, reasons)


def _is_passing(unit: Unit) -> bool:
    """Whether every member of a unit is praise or a passing mention."""
    return all(is_passing(item) for item in unit.items)


def _admit_passing(
    order: list[Unit], passing: list[Unit], packer: _Packer, reasons: dict[int, str]
) -> None:
    """Praise and passing mentions take the time left only if no question that needs an
    answer was left out for time (one longer than the whole budget aside)."""
    waited = {id(unit) for unit in passing}
    for unit in order:
        if unit.taken or id(unit) in waited or reasons.get(id(unit)) == TOO_LONG:
            continue
        if not _is_passing(unit):
            for held_back in passing:
                reasons[id(held_back)] = PASSING
            return
    for unit in passing:
        count = packer.first_fit(unit, capped=True) or packer.first_fit(unit, capped=False)
        if count:
            packer.take(unit, count)
        else:
            reasons[id(unit)] = NO_TIME


def _explain_held(order: list[Unit], held: list[Unit], reasons: dict[int, str]) -> None:
    """A held unit still out was kept out by the share only if a less valuable unit from
    another source got in; otherwise time ran out. Linear: compares with the last
    position taken per source."""
    last_taken: dict[str, int] = {}
    position: dict[int, int] = {}
    for n, unit in enumerate(order):
        position[id(unit)] = n
        if unit.taken:
            last_taken[source_of(unit.lead.question)] = n
    latest = sorted(last_taken.items(), key=lambda kv: -kv[1])[:2]
    for unit in held:
        if unit.taken:
            continue
        source = source_of(unit.lead.question)
        elsewhere = next((n for s, n in latest if s != source), -1)
        if elsewhere < position[id(unit)]:
            reasons[id(unit)] = NO_TIME


def session_order(
    picked: list[Unit], same_topic: Callable[[list[BatchItem]], list[int]] | None = None
) -> list[Unit]:
    """Urgent first; same topic side by side (best topic first); groups stay together."""
    ordered: list[Unit] = []
    for urgent in (True, False):
        tier = [u for u in picked if any(i.urgent for i in u.items[: u.taken]) is urgent]
        # A group whose members are not all urgent closes the urgent tier, so its other
        # members lead into the rest while the group stays together.
        mixed = [u for u in tier if urgent and not all(i.urgent for i in u.items[: u.taken])]
        pure = [u for u in tier if not any(u is m for m in mixed)]
        ordered.extend(_by_topic(pure, same_topic))
        ordered.extend(_by_topic(mixed, same_topic))
    return ordered


def _by_topic(
    units: list[Unit], same_topic: Callable[[list[BatchItem]], list[int]] | None
) -> list[Unit]:
    """Best first, with units on one topic side by side (the best topic first)."""
    units = sorted(
        units, key=lambda u: (-u.lead.score, u.lead.question.created_at, u.lead.question.id)
    )
    topics = same_topic([u.lead for u in units]) if same_topic and units else range(len(units))
    first: dict[int, int] = {}
    for index, topic in enumerate(topics):
        first.setdefault(topic, index)
    return [units[i] for i in sorted(range(len(units)), key=lambda i: (first[topics[i]], i))]


def pack_units(
    units: list[Unit],
    budget_s: int,
    settings: CurationSettings,
    same_topic: Callable[[list[BatchItem]], list[int]] | None = None,
) -> Batch:
    """Pick, order and explain: the batch from units in rank order."""
    capacity = int(budget_s * (1 - settings.reserve))
    picked, reasons = choose(units, capacity, settings.channel_share)
    items: list[BatchItem] = []
    for unit in session_order(picked, same_topic):
        estimates = unit.estimates(unit.taken)
        for n, (item, seconds) in enumerate(zip(unit.items, estimates, strict=False)):
            items.append(item if n == 0 else replace(item, estimate_s=seconds))
    left: list[LeftOut] = []
    for unit in units:
        rest = unit.items[unit.taken :] + unit.overflow
        if not rest:
            continue
        if unit.taken:
            why = f"{NEAR_DUPLICATE}: same as {unit.lead.question.id}, shown with it"
        else:
            why = reasons.get(id(unit)) or NO_TIME
        left.extend(LeftOut(item, why) for item in rest)
    left.sort(key=lambda lo: (-lo.item.score, lo.item.question.created_at, lo.item.question.id))
    return Batch(
        items=tuple(items),
        budget_s=budget_s,
        left_out=tuple(left),
        reserve_s=budget_s - capacity,
    )
