// Preselect the browser's own time zone in subscription forms (the server's default stays without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("[data-browser-timezone]").forEach(function (field) {
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].value === zone) { field.selectedIndex = i; break; }
      }
    } else if (!field.value) {
      field.value = zone;
    }
  });
});
