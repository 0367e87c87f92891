"""Store each post's Markdown as sanitised HTML, so pages stop rendering it per request.

The fill step uses the historical models, which lack the current save(), so it
calls render_markdown itself: blog.rendering is a stable module, unlike the models.
"""

from django.db import migrations, models

from blog.rendering import render_markdown

BATCH_SIZE = 500

# (model, {Markdown field: its stored HTML field}), as of this migration.
MARKDOWN_FIELDS = [
    ("Post", {"body": "body_html", "closing": "closing_html"}),
    ("PostSection", {"intro": "intro_html"}),
]


def fill_html(apps, schema_editor):
    for model_name, fields in MARKDOWN_FIELDS:
        model = apps.get_model("blog", model_name)
        rows = []
        # bulk_update writes only the HTML fields, so updated_at stays as it was.
        for row in model._default_manager.only("pk", *fields).iterator(chunk_size=BATCH_SIZE):
            for source, target in fields.items():
                setattr(row, target, str(render_markdown(getattr(row, source) or "")))
            rows.append(row)
            if len(rows) == BATCH_SIZE:
                model._default_manager.bulk_update(rows, list(fields.values()))
                rows = []
        if rows:
            model._default_manager.bulk_update(rows, list(fields.values()))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_editors_write_posts"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="closing_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="postsection",
            name="intro_html",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        # Going back drops the columns, so there is nothing to undo.
        migrations.RunPython(fill_html, migrations.RunPython.noop),
    ]
