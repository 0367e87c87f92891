"""The command keeps to the same caps as the admin, in the same words."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.models import Event
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration

SCHEDULE = str(FIXTURES / "schedules" / "minimal-frab.xml")


def call(*args):
    call_command("import_schedule", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_the_entry_cap(settings):
    settings.IMPORT_MAX_ENTRIES = 2

    with pytest.raises(CommandError) as caught:
        call(SCHEDULE, "--event", "tiny")

    assert str(caught.value) == (
        "Nothing was imported.\n  - file: The file has more than 2 <event> elements; "
        "an import takes at most 2 (the IMPORT_MAX_ENTRIES setting)."
    )
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_command_stops_at_the_time_budget_and_writes_nothing(settings):
    settings.IMPORT_TIME_BUDGET_SECONDS = 0

    with pytest.raises(CommandError, match="took longer than its time budget of 0 seconds"):
        call(SCHEDULE, "--event", "tiny")

    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_command_shows_progress_while_reading_and_saving():
    err = StringIO()

    call_command(
        "import_schedule", SCHEDULE, "--event", "tiny", stdout=StringIO(), stderr=err, verbosity=2
    )

    assert "Reading: 100%" in err.getvalue()
    assert "Saving: 100%" in err.getvalue()
