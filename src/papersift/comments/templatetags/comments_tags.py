from django import template
from django.urls import reverse

from papersift.comments import selectors
from papersift.comments.models import REASON_MAX, body_max

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_section(context, paper):
    """The paper page's discussion: its comments as the viewer may see them, and the forms the viewer may use."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return {
        "paper": paper, "request": request, "user": user,
        "comments": selectors.discussion(paper, user),
        "moderator": selectors.is_moderator(user),
        "here": reverse("paper", args=[paper.arxiv_id]) + "#comments",
        "body_max": body_max(), "reason_max": REASON_MAX,
    }
