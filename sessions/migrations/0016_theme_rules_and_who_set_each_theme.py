"""Theme rules, and a through model for Session.themes that records who set each theme.

The plain many-to-many's table becomes SessionTheme's as it is (the same table,
columns and unique pair: SeparateDatabaseAndState tells only Django's state),
then gains its new columns. Every existing link was an editor's choice, so the
`source` default marks it "hand".
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from confguide.permissions import grant_to_editors, revoke_from_editors

RULE_MODELS = ["themerule", "sessiontheme"]


def grant(apps, schema_editor):
    grant_to_editors(apps, "conference", RULE_MODELS)


def revoke(apps, schema_editor):
    revoke_from_editors(apps, "conference", RULE_MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("conference", "0015_event_feed_sync"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SessionTheme",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="theme_links",
                                to="conference.session",
                            ),
                        ),
                        (
                            "theme",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="session_links",
                                to="conference.theme",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "theme",
                        "db_table": "conference_session_themes",
                        "unique_together": {("session", "theme")},
                    },
                ),
                migrations.AlterField(
                    model_name="session",
                    name="themes",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="sessions",
                        through="conference.SessionTheme",
                        to="conference.theme",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="ThemeRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "name",
                    models.CharField(
                        help_text="For editors only: what this rule is meant to catch.",
                        max_length=200,
                    ),
                ),
                (
                    "words",
                    models.TextField(
                        blank=True,
                        help_text="One word or phrase a line. A session matches when its title, abstract or official track (as ticked below) contains one of them as whole words, in any case: “storage” matches “Storage for AI” but not “storageclass”; “object storage” needs both words, next to each other. List plurals and spellings you want too.",
                        verbose_name="words and phrases",
                    ),
                ),
                ("in_title", models.BooleanField(default=True, verbose_name="look in the title")),
                (
                    "in_abstract",
                    models.BooleanField(default=True, verbose_name="look in the abstract"),
                ),
                (
                    "in_track",
                    models.BooleanField(default=True, verbose_name="look in the official track"),
                ),
                (
                    "companies",
                    models.TextField(
                        blank=True,
                        help_text="One company name a line. A session matches when one of its speakers speaks for that company (the affiliation shown on the session), whatever the case.",
                    ),
                ),
                (
                    "exclusions",
                    models.TextField(
                        blank=True,
                        help_text="One word or phrase a line, matched like the words above. A session whose title, abstract or track (as ticked) contains one is never matched by this rule, even through a company: “object storage marketing” keeps sales pitches out of a “storage” rule.",
                        verbose_name="except",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Inactive rules match nothing: their themes go.",
                        verbose_name="active",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="conference.theme",
                    ),
                ),
            ],
            options={"verbose_name": "theme rule", "ordering": ["theme", "name"]},
        ),
        migrations.AddField(
            model_name="sessiontheme",
            name="source",
            field=models.CharField(
                choices=[("hand", "by hand"), ("rule", "by a rule")], default="hand", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="sessiontheme",
            name="set_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="sessiontheme",
            name="set_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The editor who set it by hand, where known.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="sessiontheme",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="links",
                to="conference.themerule",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
