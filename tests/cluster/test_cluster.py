"""The replicas share no state: whatever a reader or an editor does through one
replica holds on every other, and the cluster rides out a killed replica and a
restarted Redis (`make cluster-check`).

Requests go through nginx, as readers' do, or straight to one replica where a
check must say which (`via=`); nginx names the replica that answered in a
header of the cluster's own configuration. Rows are counted in the cluster's
own database.
"""

from __future__ import annotations

import itertools
import shutil
import threading
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pytest
import redis

from confguide.cluster.plan import REPLICAS
from tests.cluster.conftest import Answer, Browser, Cluster, form_fields, token, wait_for

pytestmark = pytest.mark.cluster

DEMO_EVENT = "kubecon-cloudnativecon-north-america-2020"
DEMO_THEME = "storage-csi"
SCHEDULES = Path(__file__).resolve().parent.parent / "fixtures" / "schedules"
WRONG_PASSWORD = "not-the-password-at-all"
NOT_CORRECT = "The email address and/or password you specified are not correct."
MY_SCHEDULE = "/my-schedule/"


def signed_in(cluster, accounts, name: str) -> Browser:
    browser = Browser(cluster)
    answer = browser.sign_in(accounts.email(name), accounts.password)
    assert (answer.status, answer.location) == (302, "/"), f"{name} could not sign in"
    return browser


def test_consecutive_requests_through_nginx_go_to_each_replica_in_turn(cluster):
    browser = Browser(cluster)

    served = [browser.get("/").replica for _ in range(6)]

    # Round robin: all three, then the same three in the same order; no stickiness.
    assert set(served[:3]) == set(REPLICAS)
    assert served[3:] == served[:3]


def test_a_sign_in_form_from_one_replica_signs_in_through_another_and_holds_on_all(
    cluster, accounts
):
    browser = Browser(cluster)
    address = accounts.email("reader")

    # The form (and its CSRF token) from web-1, posted to web-2.
    answer = browser.sign_in(address, accounts.password, form_via="web-1", post_via="web-2")
    account_pages = {name: browser.get("/accounts/email/", via=name) for name in REPLICAS}

    assert (answer.status, answer.location) == (302, "/")
    assert {
        name: (page.status, address in page.text) for name, page in account_pages.items()
    } == dict.fromkeys(REPLICAS, (200, True))


def test_a_token_from_one_replica_is_good_for_a_schedule_change_on_another(
    cluster, accounts, session_ids
):
    browser = signed_in(cluster, accounts, "reader")
    [session_id] = session_ids(1)

    confirm = browser.get(f"/my-schedule/sessions/{session_id}/add/", via="web-3")
    added = browser.post(
        f"/my-schedule/sessions/{session_id}/add/",
        {"csrfmiddlewaretoken": token(confirm), "next": MY_SCHEDULE},
        via="web-1",
    )
    saved = cluster.query(
        "SELECT session_id FROM conference_savedsession WHERE user_id = %s",
        (accounts.ids["reader"],),
    )

    assert (added.status, added.location) == (302, MY_SCHEDULE)
    assert saved == [(session_id,)]


def _export(browser: Browser, path: str, via: str, etag: str | None = None) -> Answer:
    return browser.get(path, via=via, headers={"If-None-Match": etag} if etag else {})


def test_a_theme_renamed_in_the_admin_is_renamed_on_every_replica_pages_exports_and_etags(
    cluster, accounts
):
    [(theme_id, old_name)] = cluster.query(
        "SELECT id, name FROM conference_theme WHERE slug = %s", (DEMO_THEME,)
    )
    new_name = f"{old_name} and Backups"
    reader = Browser(cluster)
    export = f"/events/{DEMO_EVENT}/schedule.json"
    # Every replica has served (and the shared cache holds) the page and the export.
    before = {name: _export(reader, export, name) for name in REPLICAS}
    for name in REPLICAS:
        assert escape(old_name) in reader.get(f"/themes/{DEMO_THEME}/", via=name).text
    [old_etag] = {answer.headers["etag"] for answer in before.values()}
    editor = Browser(cluster)
    login = editor.get("/admin/login/", via="web-1")
    signed_in_admin = editor.post(
        "/admin/login/?next=/admin/",
        {
            "username": "cluster-editor",
            "password": accounts.password,
            "csrfmiddlewaretoken": token(login),
            "next": "/admin/",
        },
        via="web-1",
    )
    change = f"/admin/conference/theme/{theme_id}/change/"

    form = form_fields(editor.get(change, via="web-1"), "theme_form")
    saved = editor.post(change, {**form, "name": new_name, "_save": "Save"}, via="web-2")

    assert (signed_in_admin.status, saved.status) == (302, 302)
    assert saved.location == "/admin/conference/theme/"
    for name in REPLICAS:
        page = reader.get(f"/themes/{DEMO_THEME}/", via=name)
        fresh = _export(reader, export, name)
        revalidated = _export(reader, export, name, etag=old_etag)
        assert (page.status, escape(new_name) in page.text) == (200, True)
        assert (fresh.status, new_name in fresh.text) == (200, True)
        assert fresh.headers["etag"] != old_etag
        # A schedule app holding the old version gets the new one, not a 304.
        assert (revalidated.status, new_name in revalidated.text) == (200, True)


def test_a_schedule_imported_by_command_is_served_by_every_replica_at_once(cluster, tmp_path):
    event = "cluster-tiny-conf"
    export, day = f"/events/{event}/schedule.json", f"/events/{event}/schedule/?day=2031-05-07"
    first = tmp_path / "schedule.xml"
    shutil.copy(SCHEDULES / "minimal-frab.xml", first)
    cluster.manage("import_schedule", str(first), "--event", event, "--publish")
    reader = Browser(cluster)
    before = {name: _export(reader, export, name) for name in REPLICAS}
    [old_etag] = {answer.headers["etag"] for answer in before.values()}
    for name in REPLICAS:
        assert "Keynote: The Next Ten Years" in reader.get(day, via=name).text
    second = tmp_path / "schedule-2.xml"
    second.write_text(first.read_text().replace("The Next Ten Years", "The Next Twenty Years"))

    cluster.manage("import_schedule", str(second), "--event", event)

    for name in REPLICAS:
        page = reader.get(day, via=name)
        fresh = _export(reader, export, name)
        revalidated = _export(reader, export, name, etag=old_etag)
        assert (page.status, "Keynote: The Next Twenty Years" in page.text) == (200, True)
        assert (fresh.status, "The Next Twenty Years" in fresh.text) == (200, True)
        assert fresh.headers["etag"] != old_etag
        assert revalidated.status == 200


def failed_sign_ins(cluster, address: str, replicas) -> list[tuple[str, int, bool]]:
    """A wrong password for `address`, once through each replica named: what each answered."""
    answers = []
    for replica in replicas:
        answer = Browser(cluster).sign_in(
            address, WRONG_PASSWORD, form_via=replica, post_via=replica
        )
        answers.append((answer.replica, answer.status, NOT_CORRECT in answer.text))
    return answers


def assert_sixth_failed_sign_in_is_refused_everywhere(cluster, accounts, name: str) -> None:
    address = accounts.email(name)
    five = list(itertools.islice(itertools.cycle(REPLICAS), 5))

    tried = failed_sign_ins(cluster, address, five)
    sixth = {replica: failed_sign_ins(cluster, address, [replica])[0][1] for replica in REPLICAS}
    # Locked for this account from this address: the right password too.
    right = Browser(cluster).sign_in(address, accounts.password)

    assert tried == [(replica, 200, True) for replica in five]
    assert sixth == dict.fromkeys(REPLICAS, 429)
    assert right.status == 429


def test_the_sixth_failed_sign_in_is_refused_whichever_replica_gets_it(cluster, accounts):
    assert_sixth_failed_sign_in_is_refused_everywhere(cluster, accounts, "guesser-target")


def test_a_contact_message_posted_through_any_replica_is_emailed_once(cluster):
    markers = []
    for form_from, post_to in (("web-1", "web-2"), ("web-2", "web-3"), ("web-3", "web-1")):
        browser = Browser(cluster)
        form = browser.get("/contact/", via=form_from)
        marker = f"cluster-check-{form_from}-to-{post_to}"
        sent = browser.post(
            "/contact/",
            {
                "csrfmiddlewaretoken": token(form),
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "company": "Analytical Engines",
                "topic": "storage",
                "message": f"Which storage sessions should we see? Reference {marker}.",
                "consent": "on",
                "homepage": "",
                "source": "",
            },
            via=post_to,
        )
        assert (sent.status, sent.location) == (302, "/contact/thanks/")
        markers.append(marker)

    def all_notified() -> bool:
        [(waiting,)] = cluster.query(
            "SELECT count(*) FROM confguide_contactmessage"
            " WHERE message LIKE '%%cluster-check-%%' AND notified_at IS NULL"
        )
        return waiting == 0

    wait_for(all_notified, what="the worker to email the editors")
    bodies = [mail.get_body(("plain",)).get_content() for mail in cluster.mails()]

    assert {marker: sum(marker in body for body in bodies) for marker in markers} == dict.fromkeys(
        markers, 1
    )


# --- Under load ------------------------------------------------------------------------

READERS = 2
SESSIONS_PER_WRITER = 12
# Between one thread's requests: a steady load that leaves the machine's two cores
# some room (make test runs the other database's suite beside this one).
PAUSE_S = 0.02
READ_PATHS = (
    "/",
    f"/events/{DEMO_EVENT}/",
    f"/events/{DEMO_EVENT}/schedule/",
    "/themes/",
    f"/themes/{DEMO_THEME}/",
    "/speakers/",
    f"/events/{DEMO_EVENT}/schedule.json",
    f"/events/{DEMO_EVENT}/schedule.ics",
)


@dataclass(frozen=True)
class Write:
    account: str
    session_id: int
    action: str  # "add" or "remove"
    answer: Answer

    @property
    def succeeded(self) -> bool:
        return (self.answer.status, self.answer.location) == (302, MY_SCHEDULE)


@dataclass
class MixedLoad:
    """Readers on public pages and signed-in attendees adding sessions to their schedule
    and taking them off again, through nginx, until the block ends. Each attendee
    works on sessions of their own, so every row can be accounted for."""

    cluster: Cluster
    writers: dict[str, Browser]
    sessions: dict[str, list[int]]
    answers: list[Answer] = field(default_factory=list)  # every answer, in order
    reads: list[Answer] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._guard, args=(self._read, Browser(self.cluster)))
            for _ in range(READERS)
        ] + [
            threading.Thread(target=self._guard, args=(self._write, name, browser))
            for name, browser in self.writers.items()
        ]

    def __enter__(self) -> MixedLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def answered(self) -> int:
        return len(self.answers)

    def wait_for_more(self, count: int) -> None:
        target = self.answered() + count
        wait_for(lambda: self.answered() >= target, what=f"{count} more answers under load")

    def served_by(self, replica: str, *, since: int) -> bool:
        return any(answer.replica == replica for answer in self.answers[since:])

    def _guard(self, work, *arguments) -> None:
        try:
            work(*arguments)
        except Exception as error:  # reported by the test, not lost in a thread
            self.errors.append(repr(error))

    def _record(self, answer: Answer, write: Write | None = None) -> None:
        with self._lock:
            self.answers.append(answer)
            if write is None:
                self.reads.append(answer)
            else:
                self.writes.append(write)

    def _read(self, browser: Browser) -> None:
        for path in itertools.cycle(READ_PATHS):
            if self._stop.wait(PAUSE_S):
                return
            self._record(browser.get(path))

    def _write(self, account: str, browser: Browser) -> None:
        # Round and round the attendee's own sessions: added on one visit, removed on the next.
        for visit, session_id in enumerate(itertools.cycle(self.sessions[account])):
            if self._stop.wait(PAUSE_S):
                return
            action = "add" if visit // len(self.sessions[account]) % 2 == 0 else "remove"
            path = f"/my-schedule/sessions/{session_id}/{action}/"
            confirm = browser.get(path)
            self._record(confirm)
            if confirm.status == 200:
                posted = browser.post(
                    path, {"csrfmiddlewaretoken": token(confirm), "next": MY_SCHEDULE}
                )
                self._record(posted, Write(account, session_id, action, posted))


def possible_states(writes: list[Write]) -> set[bool]:
    """Whether the session may be saved now: a write that answered success decides;
    one that did not may or may not have been applied."""
    states = {False}
    for write in writes:
        saved = write.action == "add"
        states = {saved} if write.succeeded else states | {saved}
    return states


def unaccounted_rows(cluster, accounts, load: MixedLoad) -> list[str]:
    """Each attendee's saved sessions against what their answers said."""
    problems = []
    for account, sessions in load.sessions.items():
        rows = [
            session_id
            for (session_id,) in cluster.query(
                "SELECT session_id FROM conference_savedsession WHERE user_id = %s",
                (accounts.ids[account],),
            )
        ]
        if len(rows) != len(set(rows)):
            problems.append(f"{account}: a session saved twice")
        for session_id in set(rows) - set(sessions):
            problems.append(f"{account}: session {session_id} saved, never asked for")
        for session_id in sessions:
            writes = [
                write
                for write in load.writes
                if (write.account, write.session_id) == (account, session_id)
            ]
            if (session_id in rows) not in possible_states(writes):
                said = [(write.action, write.answer.status) for write in writes]
                saved = "saved" if session_id in rows else "not saved"
                problems.append(f"{account}: session {session_id} is {saved} after {said}")
    return problems


def test_a_replica_killed_under_load_loses_no_write_and_rejoins(cluster, accounts, session_ids):
    names = [f"kill-writer-{n}" for n in (1, 2, 3)]
    writers = {name: signed_in(cluster, accounts, name) for name in names}
    sessions = {name: session_ids(SESSIONS_PER_WRITER) for name in names}

    with MixedLoad(cluster, writers, sessions) as load:
        load.wait_for_more(30)
        cluster.kill("web-2")
        load.wait_for_more(60)  # on the two replicas left
        cluster.restart("web-2")
        back = load.answered()
        wait_for(
            lambda: load.served_by("web-2", since=back),
            what="nginx to send requests to the restarted web-2",
        )
        load.wait_for_more(20)

    assert load.errors == []
    # nginx retried every read web-2 could not answer on another replica; only an
    # answer web-2 was in the middle of sending when it died could be cut short.
    assert [
        (answer.status, answer.replica)
        for answer in load.reads
        if answer.status != 200 and not (answer.truncated and answer.replica == "web-2")
    ] == []
    # A post that reached web-2 before it died is not retried (it may have been
    # applied): nginx answers 502 for it, and only for it.
    assert {
        (write.answer.status, write.answer.replica) for write in load.writes if not write.succeeded
    } <= {(502, "web-2")}
    assert sum(write.succeeded for write in load.writes) > 0
    assert unaccounted_rows(cluster, accounts, load) == []


def test_redis_lost_and_restarted_under_load_costs_no_error_and_the_shared_cache_returns(
    cluster, accounts, session_ids
):
    names = [f"redis-writer-{n}" for n in (1, 2, 3)]
    writers = {name: signed_in(cluster, accounts, name) for name in names}
    sessions = {name: session_ids(SESSIONS_PER_WRITER) for name in names}
    cache = redis.Redis.from_url(cluster.plan.redis_url, socket_timeout=5)

    with MixedLoad(cluster, writers, sessions) as load:
        load.wait_for_more(30)
        cluster.kill("redis")  # the cluster's own Redis, never the shared one
        load.wait_for_more(60)  # with no Redis at all
        cluster.restart("redis")  # empty: it keeps nothing on disk
        load.wait_for_more(60)

    def stores_pages_in_redis(replica: str) -> bool:
        cache.flushdb()
        Browser(cluster).get("/themes/", via=replica)
        return cache.dbsize() > 0

    # Each replica finds Redis again by itself (confguide.cache stops asking for a
    # few seconds after a failure, then tries again).
    for replica in REPLICAS:
        wait_for(lambda r=replica: stores_pages_in_redis(r), what=f"{replica} to use Redis again")

    assert load.errors == []
    assert [
        (answer.status, answer.replica)
        for answer in load.answers
        if answer.status not in (200, 302)
    ] == []
    assert all(write.succeeded for write in load.writes)
    assert unaccounted_rows(cluster, accounts, load) == []
    # Rate limits are counted in the shared cache again, across replicas.
    assert_sixth_failed_sign_in_is_refused_everywhere(cluster, accounts, "after-redis-target")
