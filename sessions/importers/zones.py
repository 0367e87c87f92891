"""The event's time zone: named by the file, chosen by the editor, inferred, or asked for.

An IANA zone is a place's rules over the years; a file's times give only
their UTC offsets on the conference's days, which many zones share
(UTC-04:00 in March is New York, Toronto, Halifax's neighbours...). So a
zone is inferred only when one place fits: a city the file names (Sched's
LOCATION "…, Amsterdam, Netherlands", a conference title "PyData Berlin")
whose offsets agree with the file's, or the only zone those offsets fit.
Otherwise the editor is asked, with the zones that would fit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from confguide.timezones import available_time_zones, time_zone_choices
from sessions.importers.base import ParsedConference, Problem

# Old alias names that pretalx still writes; the guide stores canonical ones.
ZONE_ALIASES = {
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "US/Arizona": "America/Phoenix",
    "US/Hawaii": "Pacific/Honolulu",
    "US/Alaska": "America/Anchorage",
    "GMT": "UTC",
    "Etc/UTC": "UTC",
}

# Old names tzdata keeps for compatibility beside the current one of the same place
# (Asia/Katmandu beside Asia/Kathmandu): never a candidate of their own.
LEGACY_NAMES = frozenset(
    {
        *("Africa/Asmera", "Africa/Timbuktu", "America/Argentina/ComodRivadavia"),
        *("America/Atka", "America/Buenos_Aires", "America/Catamarca", "America/Coral_Harbour"),
        *("America/Cordoba", "America/Ensenada", "America/Fort_Wayne", "America/Godthab"),
        *("America/Indianapolis", "America/Jujuy", "America/Knox_IN", "America/Louisville"),
        *("America/Mendoza", "America/Montreal", "America/Nipigon", "America/Pangnirtung"),
        *("America/Porto_Acre", "America/Rainy_River", "America/Rosario", "America/Santa_Isabel"),
        *("America/Shiprock", "America/Thunder_Bay", "America/Virgin", "America/Yellowknife"),
        *("Asia/Ashkhabad", "Asia/Calcutta", "Asia/Chongqing", "Asia/Chungking", "Asia/Dacca"),
        *("Asia/Harbin", "Asia/Istanbul", "Asia/Kashgar", "Asia/Katmandu", "Asia/Macao"),
        *("Asia/Rangoon", "Asia/Saigon", "Asia/Tel_Aviv", "Asia/Thimbu", "Asia/Ujung_Pandang"),
        *("Asia/Ulan_Bator", "Atlantic/Faeroe", "Atlantic/Jan_Mayen", "Australia/ACT"),
        *("Australia/Canberra", "Australia/Currie", "Australia/LHI", "Australia/NSW"),
        *("Australia/North", "Australia/Queensland", "Australia/South", "Australia/Tasmania"),
        *("Australia/Victoria", "Australia/West", "Australia/Yancowinna", "Europe/Belfast"),
        *("Europe/Kiev", "Europe/Nicosia", "Europe/Tiraspol", "Europe/Uzhgorod"),
        *("Europe/Zaporozhye", "Pacific/Enderbury", "Pacific/Johnston", "Pacific/Ponape"),
        *("Pacific/Samoa", "Pacific/Truk", "Pacific/Yap"),
    }
)
# Zones of cities that host many conferences: a question lists these first among the
# zones that fit, so the editor finds theirs at once. Never used to choose one.
OFTEN_CHOSEN = (
    *("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    *("America/Toronto", "America/Vancouver", "America/Mexico_City", "America/Sao_Paulo"),
    *("America/Argentina/Buenos_Aires", "America/Bogota", "America/Santiago", "Europe/London"),
    *("Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam"),
    *("Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Vienna", "Europe/Zurich"),
    *("Europe/Prague", "Europe/Warsaw", "Europe/Stockholm", "Europe/Helsinki", "Europe/Athens"),
    *("Europe/Istanbul", "Europe/Kyiv", "Africa/Lagos", "Africa/Cairo", "Africa/Nairobi"),
    *("Africa/Johannesburg", "Asia/Jerusalem", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore"),
    *("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo"),
    *("Australia/Perth", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne"),
    "Pacific/Auckland",
)

# How the editor chooses a zone, in the words of both ways of importing.
HOW_TO_CHOOSE = (
    "choose the event's time zone (the command's --time-zone, or Time zone in the import form)"
)
# A message lists this many zones that would fit; the rest are counted.
LISTED_CANDIDATES = 6


def canonical_zone(name: str) -> str:
    """The IANA name for a zone the file names, or "" when it names none that exists.

    Looked up among the known zones before it is used: ZoneInfo would read
    "Europe" (a folder) or "../x" from the disk.
    """
    name = ZONE_ALIASES.get(name.strip(), name.strip())
    return name if name in available_time_zones() else ""


@dataclass(frozen=True)
class ZoneGuess:
    """What the file's times and places say about its zone."""

    name: str  # an IANA zone, or "" when they do not tell
    source: str  # why, for the preview; or what to ask the editor when name is ""


@dataclass(frozen=True)
class EventZone:
    """The zone a file's local times are read in, and the new event's zone."""

    reading: str  # "" when no zone is known: local times cannot be read
    name: str  # the new event's zone; "" when it has to be asked for
    source: str  # where `name` came from, shown in the preview
    question: str = ""  # what to ask the editor when `name` is ""
    inferred: bool = False


def decide(
    *,
    named: str,
    named_source: str,
    given: str = "",
    given_source: str = "",
    moments: Iterable[dt.datetime] = (),
    places: Iterable[str] = (),
    hints: Iterable[str] = (),
) -> EventZone:
    """The file's own zone first, then the editor's, then one inferred; else a question.

    `named` is the canonical zone the file names ("" if none or unknown);
    `given` the editor's choice, or the zone of the event a re-import goes into.
    The file's zone reads the file's local times even when the editor chose
    another for the event: the file knows what its times mean.
    """
    if named:
        if given and given != named:
            return EventZone(reading=named, name=given, source=given_source)
        return EventZone(reading=named, name=named, source=named_source)
    if given:
        return EventZone(reading=given, name=given, source=given_source)
    guess = infer(moments, places, hints)
    if guess.name:
        return EventZone(reading=guess.name, name=guess.name, source=guess.source, inferred=True)
    return EventZone(reading="", name="", source="", question=guess.source)


def settle(conference: ParsedConference, zone: EventZone, warnings: list[Problem]) -> None:
    """Give the conference its zone and where it came from; an inferred one is a warning
    too, so the editor checks it in the preview."""
    conference.time_zone = zone.name
    conference.time_zone_source = zone.source
    conference.time_zone_question = zone.question
    if zone.inferred:
        warnings.append(
            Problem(
                "time zone",
                f"the file names none; {zone.name} was {zone.source} (check it, or choose "
                "another when importing)",
            )
        )


def infer(
    moments: Iterable[dt.datetime], places: Iterable[str] = (), hints: Iterable[str] = ()
) -> ZoneGuess:
    """The zone the file's aware times and named places fit, when only one does.

    `places` are where the file says the conference is (a LOCATION's city);
    `hints` words of its title, which count only where the offsets agree.
    Times in UTC (offset zero throughout) say nothing about a place: many
    tools write UTC whatever the venue. Then only a named place decides.
    """
    samples = _samples(moments)
    local = any(offset for _, offset in samples)
    candidates = [z for z in _zones() if _fits(z, samples)] if local else list(_zones())
    by_place = _named_cities(candidates, [*places, *(hints if local else ())])
    offsets = _describe_offsets(samples)
    if len(by_place) == 1:
        (zone, city), *_ = by_place.items()
        if local:
            return ZoneGuess(zone, f"inferred from the place “{city}” and the offsets {offsets}")
        return ZoneGuess(zone, f"inferred from the place “{city}” the file names")
    if len(by_place) > 1:
        return ZoneGuess(
            "",
            f"The file names no time zone, and the places it names fit several "
            f"({_listed(sorted(by_place))}); {HOW_TO_CHOOSE}.",
        )
    if not local:
        what = "gives its times in UTC" if samples else "gives no UTC offsets"
        return ZoneGuess(
            "",
            f"The file names no time zone and {what}, which say nothing of where the "
            f"conference is; {HOW_TO_CHOOSE}.",
        )
    if len(candidates) == 1:
        return ZoneGuess(candidates[0], f"inferred from the offsets {offsets}, which only it has")
    fitting = (
        f"which {len(candidates)} time zones share ({_listed(_often_chosen_first(candidates))})"
        if candidates
        else "which no time zone has"
    )
    return ZoneGuess(
        "", f"The file names no time zone; its times are at {offsets}, {fitting}; {HOW_TO_CHOOSE}."
    )


def place_words(text: str) -> list[str]:
    """Runs of one to three words in free text, to look for a city in ("PyData Berlin 2023")."""
    words = re.findall(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*", text)
    return [" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]


def _samples(moments: Iterable[dt.datetime]) -> list[tuple[dt.datetime, dt.timedelta]]:
    """One (instant, offset) for each day and offset in the file: enough to tell zones apart."""
    seen: dict[tuple[dt.date, dt.timedelta], dt.datetime] = {}
    for moment in moments:
        offset = moment.utcoffset() if moment.tzinfo else None
        if offset is not None:
            seen.setdefault((moment.date(), offset), moment)
    return [(moment, offset) for (_, offset), moment in sorted(seen.items())]


def _zones() -> tuple[str, ...]:
    """Zones of places, by their current names; a conference is in none of Antarctica's
    research stations."""
    return tuple(
        zone
        for zone in time_zone_choices()
        if "/" in zone and not zone.startswith("Antarctica/") and zone not in LEGACY_NAMES
    )


def _often_chosen_first(zones: list[str]) -> list[str]:
    rank = {zone: index for index, zone in enumerate(OFTEN_CHOSEN)}
    return sorted(zones, key=lambda zone: (rank.get(zone, len(rank)), zone))


def _fits(zone: str, samples: list[tuple[dt.datetime, dt.timedelta]]) -> bool:
    tz = ZoneInfo(zone)
    return all(moment.astimezone(tz).utcoffset() == offset for moment, offset in samples)


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ").casefold()


def _named_cities(candidates: list[str], places: list[str]) -> dict[str, str]:
    """The candidate zones whose city the file names, each with the place as written.

    Two names for one city (America/Buenos_Aires, America/Argentina/Buenos_Aires)
    count once: the longer is the current one.
    """
    wanted = {" ".join(p.casefold().split()): " ".join(p.split()) for p in places if p.strip()}
    found: dict[str, tuple[str, str]] = {}
    for zone in candidates:
        city = _city(zone)
        if city in wanted:
            known = found.get(city)
            if known is None or (zone.count("/"), zone) > (known[0].count("/"), known[0]):
                found[city] = (zone, wanted[city])
    return dict(found.values())


def _describe_offsets(samples: list[tuple[dt.datetime, dt.timedelta]]) -> str:
    offsets = sorted({offset for _, offset in samples})
    days = sorted({moment.date() for moment, _ in samples})
    if not days:
        span = ""
    elif len(days) == 1:
        span = f"{days[0].day} {days[0]:%b %Y}"
    else:
        span = f"{days[0].day} {days[0]:%b} to {days[-1].day} {days[-1]:%b %Y}"
    text = " and ".join(_utc(offset) for offset in offsets)
    return f"{text} ({span})" if span else text


def _utc(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02}:{minutes:02}"


def _listed(zones: list[str]) -> str:
    shown = ", ".join(zones[:LISTED_CANDIDATES])
    more = len(zones) - LISTED_CANDIDATES
    return f"{shown} and {more} more" if more > 0 else shown
