// The schedule's "Show as agenda / cards" switch, remembered for the next visit.
// The links work without this script (their ?view= shows that view, and the
// page's other links carry it on); here the choice is also kept in a cookie,
// which the server reads when an address names no view.
(function () {
  "use strict";

  var COOKIE = "schedule_view";
  var YEAR = 365 * 24 * 60 * 60;

  // On a phone the day strip scrolls sideways: bring the day shown into view,
  // as the middle tab where the strip allows, without moving the page itself.
  var strip = document.querySelector(".day-tabs");
  var current = strip && strip.querySelector("[aria-current=page]");
  if (current && strip.scrollWidth > strip.clientWidth) {
    var tab = current.parentElement;
    strip.scrollLeft = tab.offsetLeft - (strip.clientWidth - tab.offsetWidth) / 2;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-schedule-view]") : null;
    if (!link) { return; }
    var view = link.getAttribute("data-schedule-view");
    if (view !== "agenda" && view !== "cards") { return; }
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + view + "; Max-Age=" + YEAR + "; Path=/; SameSite=Lax" + secure;
  });
})();
