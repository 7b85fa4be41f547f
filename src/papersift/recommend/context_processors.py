from django.utils.functional import SimpleLazyObject


def reader_signals(request):
    """The signed-in reader's signals by paper id, for the 👍/👎 buttons on cards (``recommend/_card.html``).

    Lazy, like the reading lists' menu: one query on the first page that shows a card, none elsewhere.
    """

    def load():
        from papersift.recommend.models import Signal

        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return {}
        return dict(Signal.objects.filter(user=user).values_list("paper_id", "kind"))

    return {"reader_signals": SimpleLazyObject(load)}
