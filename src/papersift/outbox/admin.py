from django.contrib import admin

from papersift.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("subject", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
