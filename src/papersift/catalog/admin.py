from django.contrib import admin

from papersift.catalog.models import DailyListing, Paper


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("arxiv_id", "title", "primary_category", "version", "published", "withdrawn", "source")
    list_filter = ("withdrawn", "source", "primary_category")
    search_fields = ("arxiv_id", "title")
    readonly_fields = ("content_hash", "source", "source_uri", "source_record", "created_at", "modified_at")


@admin.register(DailyListing)
class DailyListingAdmin(admin.ModelAdmin):
    list_display = ("date", "paper", "submitted_by", "upvotes_imported", "comments_imported")
    list_filter = ("date",)
    raw_id_fields = ("paper",)
    search_fields = ("paper__arxiv_id", "submitted_by")
