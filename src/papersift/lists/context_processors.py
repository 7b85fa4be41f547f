from django.utils.functional import SimpleLazyObject


def reading_lists(request):
    """The signed-in user's reading lists for the "save" buttons (`lists/_save.html`), as `reading_lists`.

    This runs for every page, so it is lazy: the queries (two, however many buttons) run only when a template
    first uses `reading_lists`, and not at all on pages without a save button.
    """

    def menu():
        from papersift.lists.selectors import save_menu   # on first use, not when settings load this module

        return save_menu(getattr(request, "user", None))

    return {"reading_lists": SimpleLazyObject(menu)}
