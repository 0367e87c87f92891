// The reader's time zone: remember the browser's zone in a cookie so the
// server can show every time in it too. The chooser form needs no script.
// Loaded as a static file: the strict CSP allows no inline script.
(function () {
  "use strict";
  var COOKIE = "reader_tz";

  function storedZone() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].split("=");
      if (pair[0] === COOKIE) {
        return decodeURIComponent(pair.slice(1).join("="));
      }
    }
    return "";
  }

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  if (storedZone()) {
    return; // a zone the reader chose, or one detected earlier, wins
  }
  var zone = browserZone();
  if (!zone) {
    return;
  }
  document.cookie =
    COOKIE + "=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax" +
    (location.protocol === "https:" ? "; secure" : "");
  // Reload once so this page's times show in the reader's zone too; when
  // cookies are refused the cookie stays unset and nothing loops.
  if (storedZone() === zone && document.querySelector(".times")) {
    location.reload();
  }
})();
