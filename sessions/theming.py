"""Theme rules: which sessions each theme's rules match, and applying them.

A rule matches a session when one of its words or phrases appears as whole
words, in any case, in the session's title, abstract or official track (those
the rule looks in), or when one of the session's speakers speaks for one of
its companies; and none of its exclusions appears in those texts. A theme
applies to a session when any of its active rules matches.

Applying rules touches only the themes rules set (SessionTheme.Source.RULE):
a theme a rule set is removed once none of its theme's rules matches, and a
theme an editor set by hand is never removed nor taken over. Everything is
read in a fixed number of queries (rules, sessions, affiliations, current
links), matched in Python and written in bulk, whatever the event's size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from sessions import content
from sessions.models import Session, SessionSpeaker, SessionTheme, Theme, ThemeRule

# Rows shown per theme and direction in the admin's preview.
PREVIEW_TITLES = 8


def lines(text: str) -> list[str]:
    """The non-blank lines of a rule's field, each with its inner spaces collapsed."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern that finds any of the phrases as whole words, in any case.

    Whole words: no letter, digit or underscore right before or after, so
    "CSI" is not found in "CSIs" and "storage" not in "storageclass". Any run
    of white space inside the text stands for the phrase's single spaces.
    """
    parts = [
        r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases if phrase
    ]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def company_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class SessionFacts:
    """What rules look at in a session."""

    pk: int
    event_id: int
    title: str
    abstract: str
    track: str
    companies: frozenset[str]  # company_key() of each speaker's affiliation


@dataclass(frozen=True)
class CompiledRule:
    pk: int
    theme_id: int
    words: re.Pattern[str] | None
    exclusions: re.Pattern[str] | None
    companies: frozenset[str]
    # Where words and exclusions are looked for: "title", "abstract", "track".
    fields: tuple[str, ...]

    @classmethod
    def of(cls, rule: ThemeRule) -> CompiledRule:
        return cls(
            pk=rule.pk,
            theme_id=rule.theme_id,
            words=phrase_pattern(lines(rule.words)),
            exclusions=phrase_pattern(lines(rule.exclusions)),
            companies=frozenset(company_key(name) for name in lines(rule.companies)),
            fields=tuple(
                name
                for name, looked_in in (
                    ("title", rule.in_title),
                    ("abstract", rule.in_abstract),
                    ("track", rule.in_track),
                )
                if looked_in
            ),
        )

    def matches(self, session: SessionFacts) -> bool:
        texts = [getattr(session, name) for name in self.fields]
        if self.exclusions and any(self.exclusions.search(text) for text in texts):
            return False
        if self.companies & session.companies:
            return True
        return bool(self.words) and any(self.words.search(text) for text in texts)


def rule_matches(rule: ThemeRule, session: Session) -> bool:
    """Whether the rule matches the session as it is stored."""
    facts = _load_sessions(Session.objects.filter(pk=session.pk))
    return CompiledRule.of(rule).matches(facts[session.pk])


@dataclass
class ThemeChanges:
    """What applying the rules does to one theme's sessions."""

    theme_id: int
    theme: Theme | None = None
    added: list[SessionFacts] = field(default_factory=list)
    removed: list[SessionFacts] = field(default_factory=list)

    def describe(self, *, done: bool) -> str:
        """ "Storage & CSI: 41 sessions would be added, 2 removed" (or "were", once done)."""
        added, removed = len(self.added), len(self.removed)
        noun = "session" if added == 1 else "sessions"
        verb = ("was" if added == 1 else "were") if done else "would be"
        return f"{self.theme.name}: {added} {noun} {verb} added, {removed} removed"

    @property
    def summary(self) -> str:
        return self.describe(done=False)

    @property
    def added_preview(self) -> list[SessionFacts]:
        return self.added[:PREVIEW_TITLES]

    @property
    def added_more(self) -> int:
        return max(0, len(self.added) - PREVIEW_TITLES)

    @property
    def removed_preview(self) -> list[SessionFacts]:
        return self.removed[:PREVIEW_TITLES]

    @property
    def removed_more(self) -> int:
        return max(0, len(self.removed) - PREVIEW_TITLES)


@dataclass
class RulePlan:
    """The links to add, remove and re-attribute so that rule-set themes follow the rules."""

    changes: list[ThemeChanges]  # the themes that gain or lose sessions, in their order
    sessions_examined: int
    to_add: list[SessionTheme] = field(default_factory=list)
    to_remove: list[int] = field(default_factory=list)  # SessionTheme ids
    to_reattribute: list[SessionTheme] = field(default_factory=list)
    events: set[int] = field(default_factory=set)

    @property
    def is_empty(self) -> bool:
        return not (self.to_add or self.to_remove or self.to_reattribute)


def _load_sessions(sessions: QuerySet[Session]) -> dict[int, SessionFacts]:
    """The facts of these sessions, by id: two queries, whatever their number."""
    companies: dict[int, set[str]] = defaultdict(set)
    # The affiliation shown on the session; the speaker's current company if it names none.
    affiliations = (
        SessionSpeaker.objects.filter(session__in=sessions.values("pk"))
        .annotate(company_name=Coalesce("company__name", "speaker__company__name"))
        .exclude(company_name=None)
        .values_list("session_id", "company_name")
    )
    for session_id, name in affiliations:
        companies[session_id].add(company_key(name))
    rows = sessions.order_by("starts_at", "pk").values_list(
        "pk", "event_id", "title", "abstract", "track"
    )
    return {
        pk: SessionFacts(pk, event_id, title, abstract, track, frozenset(companies[pk]))
        for pk, event_id, title, abstract, track in rows
    }


def plan_rules(*, event_ids: Iterable[int] | None = None) -> RulePlan:
    """What applying every active rule to these events' sessions (every event's
    with None) would change; reads only, in a fixed number of queries."""
    sessions_in_scope = Session.objects.all()
    if event_ids is not None:
        sessions_in_scope = sessions_in_scope.filter(event_id__in=list(event_ids))
    themes: dict[int, ThemeChanges] = {}
    rules = [CompiledRule.of(rule) for rule in ThemeRule.objects.filter(is_active=True)]
    sessions = _load_sessions(sessions_in_scope)
    links = SessionTheme.objects.filter(session__in=sessions_in_scope.values("pk")).only(
        "pk", "session_id", "theme_id", "source", "rule_id"
    )
    links = {(link.session_id, link.theme_id): link for link in links}
    plan = RulePlan(changes=[], sessions_examined=len(sessions))
    # For each session, each theme a rule gives it and the first of its rules that
    # matches (rules come in the model's order).
    wanted: dict[int, dict[int, int]] = {}
    for session in sessions.values():
        matched = wanted[session.pk] = {}
        for rule in rules:
            if rule.theme_id not in matched and rule.matches(session):
                matched[rule.theme_id] = rule.pk
    now = timezone.now()
    for session in sessions.values():
        for theme_id, rule_id in wanted[session.pk].items():
            link = links.get((session.pk, theme_id))
            if link is None:
                plan.to_add.append(
                    SessionTheme(
                        session_id=session.pk,
                        theme_id=theme_id,
                        source=SessionTheme.Source.RULE,
                        rule_id=rule_id,
                        set_at=now,
                    )
                )
                themes.setdefault(theme_id, ThemeChanges(theme_id)).added.append(session)
                plan.events.add(session.event_id)
            elif link.source == SessionTheme.Source.RULE and link.rule_id != rule_id:
                link.rule_id = rule_id  # still the theme's, now by another of its rules
                plan.to_reattribute.append(link)
    for (session_id, theme_id), link in links.items():
        if link.source != SessionTheme.Source.RULE or theme_id in wanted.get(session_id, {}):
            continue
        session = sessions[session_id]
        plan.to_remove.append(link.pk)
        themes.setdefault(theme_id, ThemeChanges(theme_id)).removed.append(session)
        plan.events.add(session.event_id)
    if themes:  # their names, in the themes' own order
        for theme in Theme.objects.filter(pk__in=themes):
            themes[theme.pk].theme = theme
            plan.changes.append(themes[theme.pk])
    return plan


def apply_rules(*, event_ids: Iterable[int] | None = None) -> RulePlan:
    """Make the rule-set themes of these events' sessions (every event's with None)
    follow the active rules; returns what changed. Hand-set themes stay."""
    with content.batch():
        plan = plan_rules(event_ids=event_ids)
        if plan.is_empty:
            return plan
        SessionTheme.objects.filter(pk__in=plan.to_remove).delete()
        SessionTheme.objects.bulk_create(plan.to_add, batch_size=2000)
        SessionTheme.objects.bulk_update(plan.to_reattribute, ["rule"], batch_size=2000)
        # Themes are in no search document: only the pages' versions move.
        content.programme_changed(plan.events, session_ids=())
    return plan
