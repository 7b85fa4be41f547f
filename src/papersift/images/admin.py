from django.contrib import admin

from papersift.images.models import CachedImage


@admin.register(CachedImage)
class CachedImageAdmin(admin.ModelAdmin):
    """Read-only: copies are made by the worker (`papersift images fetch`)."""

    list_display = ("key", "kind", "status", "size", "attempts", "fetched_at", "url")
    list_filter = ("status", "kind")
    search_fields = ("url", "key")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
