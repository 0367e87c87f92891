// "Add to my schedule" / "Remove" without a page reload.
// Progressive enhancement: each toggle is a button that submits the page's one
// shared form (form="schedule-toggle") to its own formaction, which works
// without this script; here the same post is made with fetch and the fragment
// the server sends back replaces the toggle in place.
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

  function submitPlainly(form, button) {
    if (button) { button.disabled = false; }
    form.requestSubmit(button);
  }

  async function submitToggle(form, button) {
    var toggle = button.closest("[data-schedule-toggle]");
    button.disabled = true;
    try {
      var response = await fetch(button.formAction, {
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
        button.disabled = false;
        return;
      }
      if (!replacement) {
        // Anything else (an expired form, a server error): let the browser show it.
        plainly = true;
        submitPlainly(form, button);
        return;
      }
      toggle.replaceWith(replacement);
      var message = replacement.querySelector("[data-toggle-message]");
      if (message) { announce(message.textContent); }
      var newButton = replacement.querySelector("button[type=submit]");
      if (newButton) { newButton.focus(); }
    } catch (error) {
      plainly = true;
      submitPlainly(form, button);
    }
  }

  // Set while the browser itself submits, after fetch could not.
  var plainly = false;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!(form instanceof HTMLFormElement) || form.id !== "schedule-toggle" || !button) {
      return;
    }
    if (plainly) { plainly = false; return; }
    event.preventDefault();
    submitToggle(form, button);
  });
})();
