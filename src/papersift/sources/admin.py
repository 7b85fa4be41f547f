"""Admin for the sources: edit what is followed; see per source the last run, what it brought, the next run
and the last error (a source failing for a day is flagged); "run now" makes a source due for the worker."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from papersift.sources import services
from papersift.sources.models import Source, SourceRun


class SourceRunInline(admin.TabularInline):
    model = SourceRun
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("started_at", "finished_at", "status", "papers_new", "papers_updated", "announcements_new",
              "listings_new", "errors", "days", "message")
    readonly_fields = fields
    ordering = ("-started_at",)


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"

    def clean(self):
        data = super().clean()
        try:
            data["categories"], data["schedule"] = services.validated(
                data.get("kind", ""), data.get("categories") or [], data.get("schedule") or "")
        except services.SourceProblem as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "categories", "enabled", "schedule", "freshness", "last_run_at", "brought",
                    "next_run_at", "last_error")
    list_filter = ("kind", "enabled")
    readonly_fields = ("caught_up_to", "last_run_at", "last_success_at", "last_error", "failing_since",
                       "created_at", "updated_at")
    fields = ("name", "kind", "categories", "schedule", "enabled", "next_run_at", *readonly_fields)
    inlines = [SourceRunInline]
    form = SourceForm
    actions = ("run_now",)

    @admin.display(description="state")
    def freshness(self, source: Source) -> str:
        if not source.enabled:
            return "disabled"
        if source.failing_since:
            stale = timezone.now() - source.failing_since >= services.STALE_AFTER
            return format_html('<strong style="color:#b00">{} since {}</strong>',
                               "STALE: failing" if stale else "failing", source.failing_since.strftime("%Y-%m-%d %H:%M"))
        return "ok" if source.last_success_at else "not run yet"

    @admin.display(description="last run brought")
    def brought(self, source: Source) -> str:
        last = source.runs.order_by("-started_at").first()
        if last is None:
            return "—"
        return (f"{last.status}: {last.papers_new} new, {last.papers_updated} updated, "
                f"{last.announcements_new} announced, {last.listings_new} listed")

    @admin.action(description="Run now (at the worker's next look)")
    def run_now(self, request, queryset):
        count = services.run_soon(queryset.values_list("id", flat=True))
        self.message_user(request, f"{count} source(s) will run at the worker's next look (within a minute).",
                          messages.SUCCESS)
