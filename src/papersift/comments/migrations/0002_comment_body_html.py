"""Comments keep their rendered HTML (rendered once, when written); existing comments are rendered here.

The length bound moves from the field to the COMMENT_MAX_CHARS setting (checked by the services). Moderation
needs the ``comments.moderate`` permission, no longer just staff status.
"""

from django.db import migrations, models, transaction

BATCH = 500


def render_existing(apps, schema_editor):
    from papersift.comments.rendering import render

    Comment = apps.get_model("comments", "Comment")
    last = 0
    while True:
        rows = list(Comment.objects.filter(id__gt=last).order_by("id").only("id", "body")[:BATCH])
        if not rows:
            return
        with transaction.atomic():
            for row in rows:
                Comment.objects.filter(id=row.id).update(body_html=render(row.body))
        last = rows[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(blank=True, help_text="``body`` rendered and sanitised (comments.rendering), "
                                   "written with it: pages show this, never render."),
        ),
        migrations.AlterField(
            model_name="comment",
            name="body",
            field=models.TextField(help_text="Markdown as written (at most COMMENT_MAX_CHARS characters)."),
        ),
        migrations.AlterModelOptions(
            name="comment",
            options={"ordering": ["created_at", "id"], "permissions": [
                ("moderate", "Can moderate: hide and unhide comments, resolve reports, remove listings")]},
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
