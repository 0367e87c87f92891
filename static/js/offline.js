// Offline copies: registers the service worker (its own file, served at
// /sw.js, explains what it keeps), and reloads a page that the worker served
// from its offline copy as soon as the network is back.
// Loaded as a static file: the strict CSP allows no inline script.
(function () {
  "use strict";
  var script = document.currentScript;
  var PROBE_EVERY_MS = 15000;

  function register() {
    navigator.serviceWorker.register(script.dataset.worker, { scope: "/" }).catch(function () {
      // No worker (private mode, old browser): the site works as before.
    });
  }
  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    // After the page has loaded: the worker's start-up and its first
    // downloads must not compete with what the reader came for.
    if (document.readyState === "complete") {
      register();
    } else {
      window.addEventListener("load", register);
    }
  }

  var notice = document.querySelector("[data-offline-copy]");
  if (!notice || !script) {
    return;
  }
  var reloading = false;
  // Reload only once the site answers: an "online" event says only that some
  // network is up (and may come when none is), not that the site is reachable.
  function reloadIfReachable() {
    if (reloading) {
      return;
    }
    fetch(script.dataset.probe, { cache: "no-store" })
      .then(function (response) {
        if (response.ok && !reloading) {
          reloading = true;
          location.reload();
        }
      })
      .catch(function () {});
  }
  window.addEventListener("online", reloadIfReachable);
  // The online event is not sent everywhere (nor when only the site was out
  // of reach): ask now and then too.
  window.setInterval(reloadIfReachable, PROBE_EVERY_MS);
})();
