import csv
import io

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission

from confguide.models import ContactMessage
from tests.factories import ContactMessageFactory, UserFactory

pytestmark = pytest.mark.integration

CHANGELIST = "/admin/confguide/contactmessage/"


def run_action(client, action, messages):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(message.pk) for message in messages]},
    )


def test_editors_triage_messages_in_the_admin(editor_client):
    ContactMessageFactory(name="Grace Hopper", source_label="Persistent Memory in Kubernetes")
    ContactMessageFactory(name="Spam Bot", status=ContactMessage.Status.SPAM)

    new_only = editor_client.get(CHANGELIST, {"status__exact": "new"})
    searched = editor_client.get(CHANGELIST, {"q": "persistent memory"})

    assert "Grace Hopper" in new_only.text
    assert "Spam Bot" not in new_only.text
    assert [m.name for m in searched.context["cl"].result_list] == ["Grace Hopper"]


def test_staff_without_the_permission_cannot_see_messages(client, db):
    ContactMessageFactory()
    client.force_login(UserFactory(is_staff=True))

    assert client.get(CHANGELIST).status_code == 403


def test_staff_granted_only_view_permission_sees_but_cannot_change(client, db):
    message = ContactMessageFactory()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_contactmessage"))
    client.force_login(user)

    run_action(client, "mark_spam", [message])

    assert client.get(CHANGELIST).status_code == 200
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.NEW


def test_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_messages_cannot_be_added_by_hand(editor_client):
    assert editor_client.get(CHANGELIST + "add/").status_code == 403


def test_editor_changes_status_and_note_but_not_what_the_visitor_sent(editor_client):
    message = ContactMessageFactory(name="Grace Hopper")

    editor_client.post(
        f"{CHANGELIST}{message.pk}/change/",
        {"status": "in_progress", "triage_note": "Louise calls back", "name": "Changed"},
    )

    message.refresh_from_db()
    assert (message.status, message.triage_note, message.name) == (
        "in_progress",
        "Louise calls back",
        "Grace Hopper",
    )


def test_mark_actions_set_the_status_of_selected_messages(editor_client):
    first, second, untouched = ContactMessageFactory.create_batch(3)

    run_action(editor_client, "mark_done", [first, second])

    statuses = dict(ContactMessage.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "done", second.pk: "done", untouched.pk: "new"}


def test_csv_export_holds_selected_messages_with_formulas_neutralised(editor_client):
    hostile = ContactMessageFactory(
        name='=HYPERLINK("https://evil.example","click")',
        company="+1 555",
        message="@SUM(A1:A9) is what we need",
    )
    plain = ContactMessageFactory(name="Grace Hopper", source_label="Beyond File and Block")
    ContactMessageFactory(name="Not Selected")

    response = run_action(editor_client, "export_csv", [hostile, plain])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contact-messages-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Name"] for row in rows] == [
        '\'=HYPERLINK("https://evil.example","click")',
        "Grace Hopper",
    ]
    assert rows[0]["Company"] == "'+1 555"
    assert rows[0]["Message"] == "'@SUM(A1:A9) is what we need"
    assert rows[1]["About"] == "Beyond File and Block"


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd\\|' /C calc'!A0"),
        ("-1+2", "'-1+2"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd\\|' /C calc'!A0"),
        ("%0A=1+1", "'%0A=1+1"),
        ("-42", "-42"),  # a plain number stays a number
        ("Grace Hopper", "Grace Hopper"),
    ],
)
def test_csv_export_turns_every_formula_into_text(editor_client, typed, exported):
    message = ContactMessageFactory(name=typed, company=typed, triage_note=typed)

    response = run_action(editor_client, "export_csv", [message])

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["Name"], row["Company"], row["Triage note"]) == (exported, exported, exported)


def test_retry_action_emails_the_editors_about_unnotified_messages(editor_client, mailoutbox):
    waiting = ContactMessageFactory(name="Waiting", notify_attempts=1, last_notify_error="boom")
    ContactMessageFactory(name="Spam", status=ContactMessage.Status.SPAM)

    run_action(editor_client, "retry_notification", list(ContactMessage.objects.all()))

    waiting.refresh_from_db()
    assert waiting.notified_at is not None
    assert [email.reply_to for email in mailoutbox] == [[waiting.email]]


def test_retry_action_reports_a_mail_outage(editor_client, mail_outage, mailoutbox):
    waiting = ContactMessageFactory()

    response = run_action(editor_client, "retry_notification", [waiting])

    waiting.refresh_from_db()
    assert waiting.notified_at is None
    assert waiting.notify_attempts == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["1 notification(s) failed again; see the error on each message."]


ERASE = "/admin/confguide/contactmessage/erase-sender/"


def test_an_administrator_erases_a_senders_messages_after_seeing_how_many(admin_client):
    ContactMessageFactory(name="Ada Lovelace", email="ada@example.com")
    ContactMessageFactory(name="Ada again", email="ADA@Example.COM", status="done")
    kept = ContactMessageFactory(name="Grace Hopper", email="grace@example.com")

    form = admin_client.get(ERASE)
    confirm = admin_client.post(ERASE, {"email": "Ada@example.com"})
    assert ContactMessage.objects.count() == 3  # nothing goes before the confirmation
    done = admin_client.post(ERASE, {"email": "Ada@example.com", "confirm": "yes"}, follow=True)

    assert 'name="email"' in form.text
    assert confirm.context["count"] == 2
    assert "<strong>2 messages</strong> from <strong>Ada@example.com</strong>" in confirm.text
    assert list(ContactMessage.objects.all()) == [kept]
    assert done.redirect_chain == [("/admin/confguide/contactmessage/", 302)]
    assert "Erased 2 messages from that address." in done.text
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.user.username, entry.object_repr) == (
        DELETION,
        "admin",
        "2 contact messages",
    )
    assert "ada" not in (entry.change_message + entry.object_repr).lower()


def test_erasing_an_address_with_no_messages_says_so(admin_client):
    ContactMessageFactory(email="grace@example.com")

    confirm = admin_client.post(ERASE, {"email": "nobody@example.com"})

    assert confirm.context["count"] == 0
    assert "There are no messages from <strong>nobody@example.com</strong>." in confirm.text
    assert 'name="confirm"' not in confirm.text


def test_erasing_needs_a_valid_address(admin_client):
    ContactMessageFactory()

    response = admin_client.post(ERASE, {"email": "not an address", "confirm": "yes"})

    assert response.status_code == 400
    assert ContactMessage.objects.count() == 1


def test_editors_can_neither_erase_nor_see_the_erase_link(editor_client):
    ContactMessageFactory(email="ada@example.com")

    changelist = editor_client.get(CHANGELIST)
    response = editor_client.post(ERASE, {"email": "ada@example.com", "confirm": "yes"})

    assert ERASE not in changelist.text
    assert response.status_code == 403
    assert ContactMessage.objects.count() == 1


def test_the_changelist_links_administrators_to_erasing(admin_client):
    assert f'<a href="{ERASE}">Erase a sender\'s messages</a>' in admin_client.get(CHANGELIST).text


def test_list_shows_sender_preview_source_page_and_status_with_the_full_text_on_change(
    editor_client,
):
    long_message = "We run forty clusters.\n\n" + "Please help us plan the migration. " * 20
    message = ContactMessageFactory(
        name="Grace Hopper",
        company="Navy",
        message=long_message,
        source_path="/sessions/persistent-memory/",
        source_label="Persistent Memory in Kubernetes",
        status=ContactMessage.Status.IN_PROGRESS,
    )

    listing = editor_client.get(CHANGELIST)
    change = editor_client.get(f"{CHANGELIST}{message.pk}/change/")

    row = listing.text.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Grace Hopper (Navy)" in row
    assert "grace.hopper@example.com" in row
    assert "We run forty clusters. Please help us plan the migration." in row
    assert "…" in row
    assert row.count("Please help us plan") < 20
    assert 'href="/sessions/persistent-memory/"' in row
    assert "Persistent Memory in Kubernetes" in row
    assert "In progress" in row
    assert "css/contact_admin.css" in listing.text
    assert change.text.count("Please help us plan the migration.") == 20


def test_a_message_without_source_page_says_so_in_the_list(editor_client):
    ContactMessageFactory(source_path="", source_label="")

    row = editor_client.get(CHANGELIST).text.split("<tbody>", 1)[1].split("</tr>", 1)[0]

    assert "—" in row
