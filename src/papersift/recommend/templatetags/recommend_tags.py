from django import template

register = template.Library()


@register.filter
def signal_on(signals, paper_id):
    """The reader's signal kind on a paper ("more", "seed", "dismiss") or ""."""
    try:
        return signals.get(paper_id, "")
    except AttributeError:
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


@register.inclusion_tag("recommend/_follow.html", takes_context=True)
def follow_button(context, kind: str, value: str):
    """A Follow / Unfollow form for an author or a category (author and category pages; issue 15).

    A POST form with the CSRF token that works without JavaScript and comes back to the page it was on; a reader
    who is not signed in gets a link to log in and come back."""
    from papersift.recommend import selectors

    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {"request": request, "kind": kind, "value": value, "signed_in": signed_in,
            "following": signed_in and selectors.is_following(user, kind, value),
            "here": request.get_full_path() if request else "/", "csrf_token": context.get("csrf_token")}
