"""The sources in the admin: freshness per source (a failing one flagged, STALE after a day), its runs, edits
checked like the CLI's, and "run now" making a source due, for staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.utils import timezone

from papersift.sources.models import Source, SourceRun

pytestmark = pytest.mark.django_db
LIST = "/admin/sources/source/"


@pytest.fixture
def admin_client(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123456"))
    return client


def test_the_list_shows_last_run_what_it_brought_next_run_and_errors(admin_client):
    now = timezone.now()
    hf = Source.objects.get(name="hf-daily")
    SourceRun.objects.create(source=hf, started_at=now, finished_at=now, status="ok", papers_new=17, listings_new=17)
    Source.objects.filter(pk=hf.pk).update(last_run_at=now, last_success_at=now, next_run_at=now + timedelta(hours=1))
    Source.objects.filter(name="arxiv-ai-ml").update(last_error="http://127.0.0.1:9/rss/: ConnectError",
                                                     failing_since=now - timedelta(days=2))
    text = admin_client.get(LIST).content.decode()
    assert "ok: 17 new, 0 updated, 0 announced, 17 listed" in text
    assert "STALE: failing since" in text and "ConnectError" in text
    change = admin_client.get(f"{LIST}{hf.pk}/change/")
    assert change.status_code == 200 and "17" in change.content.decode()


def test_edits_are_checked_like_the_clis(admin_client):
    source = Source.objects.get(name="arxiv-ai-ml")
    form = {"name": "arxiv-ai-ml", "kind": "arxiv", "categories": '["astroph"]', "schedule": "auto", "enabled": "on",
            "runs-TOTAL_FORMS": "0", "runs-INITIAL_FORMS": "0"}
    response = admin_client.post(f"{LIST}{source.pk}/change/", form)
    assert response.status_code == 200 and "&#x27;astroph&#x27; is not one of" in response.content.decode()
    form["categories"] = '["cs.CL", "hep-th"]'
    assert admin_client.post(f"{LIST}{source.pk}/change/", form).status_code == 302
    assert Source.objects.get(pk=source.pk).categories == ["cs.CL", "hep-th"]


def test_run_now_makes_sources_due_and_is_for_staff_only(admin_client, client, ada):
    later = timezone.now() + timedelta(days=1)
    Source.objects.update(next_run_at=later)
    ids = [str(pk) for pk in Source.objects.values_list("pk", flat=True)]
    client.force_login(ada)
    refused = client.post(LIST, {"action": "run_now", helpers.ACTION_CHECKBOX_NAME: ids})
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    assert all(s.next_run_at == later for s in Source.objects.all())
    admin_client.post(LIST, {"action": "run_now", helpers.ACTION_CHECKBOX_NAME: ids})
    assert all(s.next_run_at <= timezone.now() for s in Source.objects.all())
