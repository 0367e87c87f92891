from django.db import migrations
from django.db.models import F

# Accounts moved to django-allauth, which signs people in by the addresses in its
# own table and asks them to confirm any address it has not seen confirmed. The
# hand-written sign-up checked that an address was free, and people have been
# receiving reset links at theirs, so every existing user's address is entered
# as confirmed and primary: they sign in with it and their password as before.
#
# - A user without an address gets no row: they cannot sign in on the site by
#   email, only at the editors' admin sign-in with their username (staff only).
# - Two accounts sharing an address (possible only through the admin): one
#   address may be confirmed once, so the account signed in most recently keeps
#   it confirmed; the others' rows stay unconfirmed for editors to sort out.
# - Users who already have rows (run twice, or signed up since) are left alone.


def confirm_existing_addresses(apps, schema_editor):
    User = apps.get_model("confguide", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    with_rows = set(EmailAddress.objects.values_list("user_id", flat=True))
    confirmed = set(EmailAddress.objects.filter(verified=True).values_list("email", flat=True))
    rows = []
    users = (
        User.objects.exclude(email="")
        .order_by(F("last_login").desc(nulls_last=True), "pk")
        .values_list("pk", "email")
    )
    for user_id, email in users.iterator():
        if user_id in with_rows:
            continue
        email = email.strip().lower()
        rows.append(
            EmailAddress(user_id=user_id, email=email, verified=email not in confirmed, primary=True)
        )
        confirmed.add(email)
    EmailAddress.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("confguide", "0005_editors_see_mail_tasks"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(confirm_existing_addresses, migrations.RunPython.noop)]
