from django.contrib import admin

from papersift.indexing.models import Embedding


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ("paper", "model_id", "content_hash", "created_at")
    list_filter = ("model_id",)
    raw_id_fields = ("paper",)
    exclude = ("vector",)
