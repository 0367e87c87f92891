// Copy buttons for my schedule's addresses (calendar feed, share links).
// Without this script the buttons stay hidden and the read-only fields can
// be selected and copied by hand.
(function () {
  "use strict";

  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) status.textContent = text;
  }

  function copyByHand(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say(id, "Copied."); };
      var failed = function () {
        say(id, copyByHand(field) ? "Copied." : "Select the address and copy it.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
