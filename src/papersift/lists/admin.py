from django.contrib import admin

from papersift.lists.models import ReadingList, ReadingListItem


class ItemInline(admin.TabularInline):
    model = ReadingListItem
    raw_id_fields = ("paper",)
    extra = 0


@admin.register(ReadingList)
class ReadingListAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "public", "updated_at")
    list_filter = ("public",)
    search_fields = ("name", "owner__username", "slug")
    raw_id_fields = ("owner",)
    inlines = [ItemInline]
