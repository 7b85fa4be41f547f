"""Admin for comments, reports and the moderation log, and the ask-for-a-reason step of moderation actions.

Hiding, unhiding and removing go through the services (so the visible-comment count and the audit log move
with them); the admin never edits those fields directly, and the log is read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse

from papersift.comments import services
from papersift.comments.models import REASON_MAX, Comment, ModerationLog, Report


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept in the moderation log.")


def with_reason(modeladmin: admin.ModelAdmin, request, queryset, *, action: str, title: str, apply):
    """An admin action that first asks why: renders a form for the reason, then calls ``apply(obj, reason)``
    for each selected object, each in its own savepoint, and reports what was done and what was refused."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        done, refused = 0, []
        for obj in queryset:
            try:
                with transaction.atomic():
                    apply(obj, form.cleaned_data["reason"])
                done += 1
            except (ValueError, PermissionDenied) as exc:
                refused.append(f"{obj}: {exc}")
        if done:
            modeladmin.message_user(request, f"{title}: done for {done}.", messages.SUCCESS)
        for problem in refused:
            modeladmin.message_user(request, problem, messages.ERROR)
        return None                          # back to the change list
    return TemplateResponse(request, "comments/admin/reason.html", {
        **modeladmin.admin_site.each_context(request),
        "title": title, "objects": list(queryset), "form": form, "action": action,
        "selected": helpers.ACTION_CHECKBOX_NAME, "opts": modeladmin.model._meta,
    })


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "paper", "author", "created_at", "edited_at", "hidden", "excerpt")
    list_filter = ("hidden", "created_at")
    search_fields = ("body", "author__username", "paper__arxiv_id")
    list_select_related = ("paper", "author")
    readonly_fields = ("paper", "author", "body", "created_at", "edited_at", "hidden", "hidden_reason",
                       "hidden_by", "hidden_at")
    exclude = ("body_html",)             # derived from body when it is written; never edited by hand
    actions = ("hide", "unhide")

    @admin.display(description="text")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80] + ("…" if len(comment.body) > 80 else "")

    def has_add_permission(self, request) -> bool:
        return False                         # comments are written on the site, by their authors

    def has_delete_permission(self, request, obj=None) -> bool:
        return False                         # moderators hide (with a reason, logged); only authors delete

    @admin.action(description="Hide the selected comments (asks for a reason)")
    def hide(self, request, queryset):
        return with_reason(self, request, queryset, action="hide", title="Hide comments",
                           apply=lambda c, reason: services.hide_comment(request.user, c.id, reason))

    @admin.action(description="Show the selected hidden comments again (asks for a reason)")
    def unhide(self, request, queryset):
        return with_reason(self, request, queryset, action="unhide", title="Unhide comments",
                           apply=lambda c, reason: services.unhide_comment(request.user, c.id, reason))


class OpenFilter(admin.SimpleListFilter):
    title, parameter_name = "status", "status"

    def lookups(self, request, model_admin):
        return [("open", "open"), ("resolved", "resolved")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "resolved"):
            return queryset.filter(resolved_at__isnull=self.value() == "open")
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "comment", "reporter", "reason", "created_at", "resolved_at", "resolved_by")
    list_filter = (OpenFilter,)
    list_select_related = ("comment__paper", "comment__author", "reporter", "resolved_by")
    search_fields = ("reason", "reporter__username")
    readonly_fields = ("comment", "reporter", "reason", "created_at", "resolved_at", "resolved_by")
    actions = ("hide_comments", "resolve")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Hide the reported comments (asks for a reason; resolves their reports)")
    def hide_comments(self, request, queryset):
        def hide(report: Report, reason: str) -> None:
            if not Comment.objects.filter(id=report.comment_id, hidden=True).exists():
                services.hide_comment(request.user, report.comment_id, reason)
        return with_reason(self, request, queryset, action="hide_comments", title="Hide reported comments",
                           apply=hide)

    @admin.action(description="Resolve the selected reports, leaving the comments as they are")
    def resolve(self, request, queryset):
        count = services.resolve_reports(request.user, queryset.values_list("id", flat=True))
        self.message_user(request, f"{count} report(s) resolved.", messages.SUCCESS)


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "action", "target", "reason")
    list_filter = ("action", "created_at")
    search_fields = ("target", "reason", "actor_name", "paper_arxiv_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
