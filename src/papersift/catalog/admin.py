"""Admin for the catalog. Papers and listings come from ingestion: the counts kept by the community services
are read-only here, and a listing leaves a daily list only through the logged "remove" action."""

from django.contrib import admin

from papersift.catalog.models import DailyListing, Organization, Paper
from papersift.comments import services as moderation
from papersift.comments.admin import with_reason


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("arxiv_id", "title", "primary_category", "version", "published", "withdrawn",
                    "community_votes", "community_comments", "source")
    list_filter = ("withdrawn", "source", "primary_category")
    search_fields = ("arxiv_id", "title")
    readonly_fields = ("content_hash", "source", "source_uri", "source_record", "community_votes",
                       "community_comments", "created_at", "modified_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False        # withdrawn papers stay as tombstones; a deleted one would come back at the next import


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organisations come from Hugging Face's daily lists (ingest keeps them current)."""

    list_display = ("name", "fullname", "observed_at")
    search_fields = ("name", "fullname")
    readonly_fields = ("observed_at", "created_at", "modified_at")


@admin.register(DailyListing)
class DailyListingAdmin(admin.ModelAdmin):
    list_display = ("date", "paper", "submitted_by", "upvotes_imported", "comments_imported")
    list_filter = ("date",)
    list_select_related = ("paper",)
    raw_id_fields = ("paper",)
    search_fields = ("paper__arxiv_id", "submitted_by")
    actions = ("remove_from_daily_list",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False        # removal needs a reason in the moderation log: the action below

    @admin.action(description="Remove from the daily list (asks for a reason)")
    def remove_from_daily_list(self, request, queryset):
        return with_reason(self, request, queryset, action="remove_from_daily_list", title="Remove from the daily list",
                           apply=lambda listing, reason: moderation.remove_listing(request.user, listing.id, reason))
