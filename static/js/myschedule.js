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

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].split("=");
      if (pair[0] === name) { return decodeURIComponent(pair.slice(1).join("=")); }
    }
    return "";
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content;
  }

  // A reader with no session gets a page with no token (the same page for
  // every such reader): the confirmation page hands one out, with its cookie,
  // or says why the change is not possible.
  async function csrfToken(form, button) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return { token: field.value }; }
    var token = cookie("csrftoken");
    if (token) { return { token: token }; }
    var response = await fetch(button.formAction, { credentials: "same-origin" });
    var page = parse(await response.text());
    var issued = page.querySelector("input[name=csrfmiddlewaretoken]");
    var refusal = page.querySelector("[data-refusal]");
    return { token: issued ? issued.value : "", refusal: refusal && refusal.textContent };
  }

  function submitPlainly(form, button) {
    if (button) { button.disabled = false; }
    form.requestSubmit(button);
  }

  async function submitToggle(form, button) {
    var toggle = button.closest("[data-schedule-toggle]");
    button.disabled = true;
    try {
      var csrf = await csrfToken(form, button);
      if (csrf.refusal) {
        showRefusal(toggle, csrf.refusal);
        button.disabled = false;
        return;
      }
      var response = await fetch(button.formAction, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf.token },
        credentials: "same-origin",
      });
      var answer = parse(await response.text());
      var replacement = response.ok && answer.querySelector("[data-schedule-toggle]");
      var refusal = answer.querySelector("[data-refusal]");
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
      // The same session may be listed twice (on now and in the day's list):
      // every copy of its star changes, each keeping its own size.
      var id = toggle.getAttribute("data-schedule-toggle");
      if (id) {
        document.querySelectorAll('[data-schedule-toggle="' + id + '"]').forEach(function (copy) {
          if (copy === toggle) { return; }
          var twin = replacement.cloneNode(true);
          twin.className = replacement.className + (copy.classList.contains("star-lg") ? " star-lg" : "");
          var note = twin.querySelector("[data-toggle-message]");
          if (note) { note.remove(); }
          copy.replaceWith(twin);
        });
      }
      if (toggle.classList.contains("star-lg")) { replacement.classList.add("star-lg"); }
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
  // Toggles go one after another: a reader's first pick may start their
  // session, and later picks must carry its cookie, or only one would stay.
  var queue = Promise.resolve();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!(form instanceof HTMLFormElement) || form.id !== "schedule-toggle" || !button) {
      return;
    }
    if (plainly) { plainly = false; return; }
    event.preventDefault();
    button.disabled = true;
    queue = queue.then(function () { return submitToggle(form, button); });
  });
})();
