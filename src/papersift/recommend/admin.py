from django.contrib import admin

from papersift.recommend.models import Follow, Reader, Signal


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "paper", "source", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "paper__arxiv_id")
    raw_id_fields = ("user", "paper")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "value", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "value")
    raw_id_fields = ("user",)


@admin.register(Reader)
class ReaderAdmin(admin.ModelAdmin):
    list_display = ("user", "feed_key_created_at")
    raw_id_fields = ("user",)
    exclude = ("feed_key",)     # a private link: staff do not need to see it
