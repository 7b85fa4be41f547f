// The header's light/dark toggle. Without JavaScript it is a form that POSTs to /theme, which stores the choice in
// the `theme` cookie and comes back; with it, the choice is stored in the same cookie and applied at once, without
// a reload. The server puts the cookie's value on <html data-theme>, so every page starts in the chosen theme.
(function () {
  "use strict";

  var YEAR = 60 * 60 * 24 * 365;

  function apply(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    document.cookie = "theme=" + theme + "; path=/; max-age=" + YEAR + "; SameSite=Lax";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.theme-toggle")) return;
    var button = event.submitter;
    if (!button || !button.value) return;      // old browsers without SubmitEvent.submitter: plain POST
    event.preventDefault();
    apply(button.value);
    // Keep the keyboard focus on the toggle: the pressed button is now hidden, the other one shown.
    var other = form.querySelector("button:not([value='" + button.value + "'])");
    if (other) other.focus();
  });
})();
