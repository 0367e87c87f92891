# Existing speakers and rooms keep the guids the frab exports have published
# for them so far (uuid5 names of the speaker's id, and of the room's event
# and name), so apps that know them see no new people or rooms.

import uuid

from django.db import migrations

# The namespace sessions.exports.frab named them in before guids were stored.
GUID_NAMESPACE = uuid.UUID('6f1cbb86-5a8e-4d4e-9d2f-0e9a8d6c6a41')
BATCH = 1000


def fill(apps, schema_editor):
    Speaker = apps.get_model('conference', 'Speaker')
    Room = apps.get_model('conference', 'Room')
    speakers = list(Speaker.objects.filter(guid__isnull=True).only('pk'))
    for speaker in speakers:
        speaker.guid = uuid.uuid5(GUID_NAMESPACE, f'speaker:{speaker.pk}')
    Speaker.objects.bulk_update(speakers, ['guid'], batch_size=BATCH)
    rooms = list(Room.objects.filter(guid__isnull=True).only('pk', 'event_id', 'name'))
    for room in rooms:
        room.guid = uuid.uuid5(GUID_NAMESPACE, f'room:{room.event_id}:{room.name}')
    Room.objects.bulk_update(rooms, ['guid'], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('conference', '0009_guids_language_recording'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
