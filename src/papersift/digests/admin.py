from django.contrib import admin

from papersift.digests.models import Digest, SavedSearch, Subscription


class SavedSearchInline(admin.TabularInline):
    model = SavedSearch
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "email", "user", "status", "frequency", "hour", "timezone", "trending_top", "created_at")
    list_filter = ("status", "frequency")
    search_fields = ("email", "user__username", "user__email")
    readonly_fields = ("public_id", "created_at", "updated_at", "confirmed_at", "unsubscribed_at")
    inlines = [SavedSearchInline]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("id", "subscription", "period", "status", "skip_reason", "papers", "built_at")
    list_filter = ("status", "skip_reason")
    search_fields = ("subscription__email", "period")
    readonly_fields = [f.name for f in Digest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
