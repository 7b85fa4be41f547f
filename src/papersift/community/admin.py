from django.contrib import admin

from papersift.community.models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("user", "paper", "created_at")
    search_fields = ("user__username", "paper__arxiv_id")
    raw_id_fields = ("user", "paper")
