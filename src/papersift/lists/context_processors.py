def reading_lists(request):
    """The signed-in user's reading lists for every page's "save" buttons (stub until the lists app is built)."""
    return {}
