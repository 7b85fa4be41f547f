// Forms marked data-autosubmit (the lists' sort and category menus) are sent as soon as a menu changes, so no
// "Apply" click is needed. The Apply button stays for readers without JavaScript; with it, it is hidden.
(function () {
  "use strict";

  function enhance() {
    var forms = document.querySelectorAll("form[data-autosubmit]");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      form.classList.add("autosubmit");
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT") event.currentTarget.requestSubmit();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
