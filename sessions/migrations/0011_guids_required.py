import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conference', '0010_fill_guids'),
    ]

    operations = [
        migrations.AlterField(
            model_name='speaker',
            name='guid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name='room',
            name='guid',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(fields=('event', 'guid'), name='room_guid_unique_per_event'),
        ),
    ]
