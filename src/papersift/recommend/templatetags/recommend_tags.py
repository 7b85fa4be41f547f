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
