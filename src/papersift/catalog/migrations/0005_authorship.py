# The author index behind /authors/<name>, filled from the papers already in the catalog.

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    from papersift.catalog.authors import authorship_rows

    Paper = apps.get_model("catalog", "Paper")
    Authorship = apps.get_model("catalog", "Authorship")
    db = schema_editor.connection.alias
    rows = []
    for paper_id, authors in Paper.objects.using(db).order_by("id").values_list("id", "authors").iterator(BATCH):
        rows.extend(Authorship(paper_id=paper_id, position=position, name=name, key=key)
                    for position, name, key in authorship_rows(authors))
        if len(rows) >= 10 * BATCH:
            Authorship.objects.using(db).bulk_create(rows, batch_size=BATCH)
            rows = []
    Authorship.objects.using(db).bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_announcement'),
    ]

    operations = [
        migrations.CreateModel(
            name='Authorship',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(help_text="0-based place in the paper's author list.")),
                ('name', models.CharField(help_text='The name as the paper gives it.', max_length=300)),
                ('key', models.CharField(help_text='The name folded for lookup (case, accents, spacing).', max_length=300)),
                ('paper', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='authorships', to='catalog.paper')),
            ],
            options={
                'indexes': [models.Index(fields=['key', 'paper'], name='authorship_key')],
                'constraints': [models.UniqueConstraint(fields=('paper', 'position'), name='authorship_once_per_place')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
