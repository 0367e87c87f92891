// "Add to my schedule" / "Remove" without a page reload.
// Progressive enhancement: the toggle is a plain POST form that works without
// this script; here the same form is posted with fetch and the fragment the
// server sends back replaces the toggle in place.
(function () {
  "use strict";

  var liveRegion = null;

  function announce(text) {
    if (!liveRegion) {
      liveRegion = document.createElement("div");
      liveRegion.className = "visually-hidden";
      liveRegion.setAttribute("role", "status");
      liveRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = "";
    // A fresh text node after clearing makes screen readers announce repeats.
    window.setTimeout(function () { liveRegion.textContent = text; }, 50);
  }

  function showRefusal(toggle, text) {
    var note = toggle.querySelector("[data-toggle-refusal]");
    if (!note) {
      note = document.createElement("p");
      note.className = "small text-danger mb-0";
      note.setAttribute("role", "alert");
      note.setAttribute("data-toggle-refusal", "");
      toggle.appendChild(note);
    }
    note.textContent = text;
  }

  async function submitToggle(form) {
    var toggle = form.closest("[data-schedule-toggle]");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    try {
      var response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      var html = await response.text();
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var replacement = response.ok && template.content.querySelector("[data-schedule-toggle]");
      var refusal = template.content.querySelector("[data-refusal]");
      if (!replacement && refusal) {
        // Refused (a session no longer in the programme): say why, right here.
        showRefusal(toggle, refusal.textContent);
        if (button) { button.disabled = false; }
        return;
      }
      if (!replacement) {
        // Anything else (an expired form, a server error): let the browser show it.
        form.submit();
        return;
      }
      toggle.replaceWith(replacement);
      var message = replacement.querySelector("[data-toggle-message]");
      if (message) { announce(message.textContent); }
      var newButton = replacement.querySelector("button[type=submit]");
      if (newButton) { newButton.focus(); }
    } catch (error) {
      form.submit();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest("[data-schedule-toggle]")) {
      return;
    }
    event.preventDefault();
    submitToggle(form);
  });
})();
