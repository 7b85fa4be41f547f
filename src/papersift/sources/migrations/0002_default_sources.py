"""A fresh install follows Hugging Face's daily papers and arXiv's announcements in AI/ML categories.

Run once: sources removed afterwards stay removed. `PAPERSIFT_AUTO_UPDATE=false` keeps the worker from running
them (an offline machine).
"""

from django.db import migrations

DEFAULTS = [
    {"name": "arxiv-ai-ml", "kind": "arxiv", "categories": ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "stat.ML"]},
    {"name": "hf-daily", "kind": "hf-daily", "categories": []},
]


def add_defaults(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for values in DEFAULTS:
        Source.objects.get_or_create(name=values["name"], defaults={**values, "schedule": "auto", "enabled": True})


class Migration(migrations.Migration):

    dependencies = [("sources", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
