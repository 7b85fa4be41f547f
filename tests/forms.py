"""Reading the forms a page really renders, and submitting them as a browser would (CSRF token included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)      # what the form sends untouched
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # select name -> (value, text)


class _Forms(HTMLParser):
    """What a browser would send: inputs' values, textareas' text, each select's selected (else first) option."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._option: list | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), (a.get("method") or "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.forms[-1].fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1].fields[a["name"]] = ""
        elif tag == "select":
            self._select = a.get("name")
            self.forms[-1].options[self._select] = []
        elif tag == "option" and self._select:
            self._option = [a.get("value"), "", "selected" in a]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        elif self._textarea is not None:
            self.forms[-1].fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, text, selected = self._option
            value = text.strip() if value is None else value    # an option without value= sends its text
            options = self.forms[-1].options[self._select]
            if selected or not options:
                self.forms[-1].fields[self._select] = value
            options.append((value, text))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms(html: str, action: str | None = None) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if action is None or f.action == action]


def submit(client: Client, html: str, action: str, **values) -> object:
    """POST the first form on the page whose action is ``action``, with ``values`` filled in."""
    found = forms(html, action)
    assert found, f"no form posting to {action} on the page"
    form = found[0]
    assert form.method == "post" and "csrfmiddlewaretoken" in form.fields, f"{action}: not a POST form with CSRF"
    return client.post(action, {**form.fields, **values})
