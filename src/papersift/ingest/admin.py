from django.contrib import admin

from papersift.ingest.models import HarvestState


@admin.register(HarvestState)
class HarvestStateAdmin(admin.ModelAdmin):
    list_display = ("format", "start_url", "status", "pages", "records", "updated_at")
    list_filter = ("format", "status")
