# Speakers and rooms get a guid of their own (filled in by 0010, required by
# 0011); sessions a language and a recording opt-out; a session's UID is unique
# per event, so a copy of an event imported from our export keeps its UIDs.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conference', '0008_schedule_import'),
    ]

    operations = [
        migrations.AddField(
            model_name='speaker',
            name='guid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='room',
            name='guid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='session',
            name='language',
            field=models.CharField(blank=True, help_text='The language it is held in, as a tag such as en or pt-BR; blank if not known.', max_length=35),
        ),
        migrations.AddField(
            model_name='session',
            name='do_not_record',
            field=models.BooleanField(default=False, help_text='The speakers opted out of recording and streaming, as the official schedule says.', verbose_name='not to be recorded'),
        ),
        migrations.AlterField(
            model_name='session',
            name='uid',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.UniqueConstraint(fields=('event', 'uid'), name='session_uid_unique_per_event'),
        ),
    ]
