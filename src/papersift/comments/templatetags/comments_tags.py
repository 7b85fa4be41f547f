from django import template

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_section(context, paper):
    """The paper page's discussion (stub until the comments app is built)."""
    return {"paper": paper, "request": context.get("request"), "user": context.get("user")}
