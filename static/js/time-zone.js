// The reader's time zone: remember the browser's zone in a cookie so the
// server shows every time in it too from the next page on, and show this
// page's times in it right away (no reload: the page may have come from the
// shared page cache, the same for every reader without a zone). Each time is
// already in the page as an instant (<time datetime>), in the event's zone.
// The chooser form needs no script.
// Loaded as a static file: the strict CSP allows no inline script.
(function () {
  "use strict";
  var COOKIE = "reader_tz";
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Locales whose short zone names are the abbreviations readers know
  // (EST, CET, IST, JST, AEDT); the first that gives one wins.
  var NAME_LOCALES = ["en-US", "en-GB", "en-IN", "en-AU", "ja-JP"];

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

  // A busy day shows hundreds of times: make each formatter once.
  var formatters = {};
  function formatter(locale, options) {
    var key = locale + JSON.stringify(options);
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat(locale, options);
    }
    return formatters[key];
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // The wall clock in `zone` at `moment`: fields, minutes east of UTC, the date's key.
  // Sessions share their start and end times: each instant is worked out once.
  var clocks = {};
  function wallClock(moment, zone) {
    var key = zone + "@" + moment.getTime();
    if (!clocks[key]) {
      clocks[key] = readClock(moment, zone);
    }
    return clocks[key];
  }

  function readClock(moment, zone) {
    var fields = {};
    formatter("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(moment)
      .forEach(function (part) {
        fields[part.type] = Number(part.value);
      });
    var asUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour % 24, fields.minute, fields.second);
    fields.offset = Math.round((asUtc - Math.floor(moment.getTime() / 1000) * 1000) / 60000);
    fields.weekday = new Date(Date.UTC(fields.year, fields.month - 1, fields.day)).getUTCDay();
    fields.dateKey = fields.year * 10000 + fields.month * 100 + fields.day;
    return fields;
  }

  function offsetText(minutes, separator) {
    var sign = minutes < 0 ? "-" : "+";
    var size = Math.abs(minutes);
    return sign + pad(Math.floor(size / 60)) + separator + pad(size % 60);
  }

  // As the server names zones: the abbreviation, else the offset ("+04", "+0530").
  // One zone has one name per offset (CET, CEST): each is looked up once.
  var labels = {};
  function zoneLabel(moment, zone) {
    var key = zone + "@" + wallClock(moment, zone).offset;
    if (!(key in labels)) {
      labels[key] = readLabel(moment, zone);
    }
    return labels[key];
  }

  function readLabel(moment, zone) {
    for (var i = 0; i < NAME_LOCALES.length; i++) {
      try {
        var parts = formatter(NAME_LOCALES[i], { timeZone: zone, timeZoneName: "short" }).formatToParts(moment);
        for (var j = 0; j < parts.length; j++) {
          if (parts[j].type === "timeZoneName" && !/^(GMT|UTC)[+\u2212-]/.test(parts[j].value)) {
            return parts[j].value;
          }
        }
      } catch (error) {
        return "";
      }
    }
    var offset = wallClock(moment, zone).offset;
    var text = offsetText(offset, "");
    return offset % 60 ? text : text.slice(0, 3);
  }

  // Minutes east of UTC in an ISO 8601 time ("+01:00", "-05:30", "Z").
  function isoOffset(text) {
    var found = /([+-])(\d\d):?(\d\d)$/.exec(text);
    if (!found) {
      return /Z$/.test(text) ? 0 : null;
    }
    return (found[1] === "-" ? -1 : 1) * (Number(found[2]) * 60 + Number(found[3]));
  }

  function dayText(clock) {
    return WEEKDAYS[clock.weekday] + " " + clock.day + " " + MONTHS[clock.month - 1];
  }

  function timeElement(moment, clock) {
    var element = document.createElement("time");
    element.dateTime =
      clock.year + "-" + pad(clock.month) + "-" + pad(clock.day) + "T" +
      pad(clock.hour % 24) + ":" + pad(clock.minute) + ":" + pad(clock.second) +
      offsetText(clock.offset, ":");
    element.textContent = pad(clock.hour % 24) + ":" + pad(clock.minute);
    return element;
  }

  function abbrElement(label, zone) {
    var element = document.createElement("abbr");
    element.title = zone;
    element.textContent = label;
    return element;
  }

  // One time or range in the reader's zone, built as the server builds it
  // (sessions/templatetags/conference.py); null when it reads the same.
  function readerSpan(times, eventZone, eventLabel, eventDate, zone) {
    var start = new Date(times[0].dateTime);
    var end = times.length > 1 ? new Date(times[1].dateTime) : null;
    if (isNaN(start.getTime()) || (end && isNaN(end.getTime()))) {
      return null;
    }
    var startClock = wallClock(start, zone);
    var startLabel = zoneLabel(start, zone);
    var endClock = end ? wallClock(end, zone) : null;
    var sameReading =
      startClock.offset === isoOffset(times[0].dateTime) &&
      startLabel === eventLabel &&
      (!end || endClock.offset === isoOffset(times[1].dateTime));
    if (zone === eventZone || sameReading) {
      return null;
    }
    var span = document.createElement("span");
    span.className = "reader-time";
    span.appendChild(timeElement(start, startClock));
    var endLabel = end ? zoneLabel(end, zone) : startLabel;
    if (end && endLabel !== startLabel) {
      span.appendChild(document.createTextNode(" "));
      span.appendChild(abbrElement(startLabel, zone));
    }
    if (end) {
      span.appendChild(document.createTextNode("\u2013"));
      span.appendChild(timeElement(end, endClock));
    }
    span.appendChild(document.createTextNode(" "));
    span.appendChild(abbrElement(endLabel, zone));
    var days = "";
    if (startClock.dateKey !== eventDate) {
      days = " (" + dayText(startClock) + ")";
    }
    if (end) {
      var lastClock = wallClock(new Date(end.getTime() - 1), zone);
      if (lastClock.dateKey > startClock.dateKey) {
        days += " (ends " + dayText(endClock) + ")";
      }
    }
    if (days) {
      span.appendChild(document.createTextNode(days));
    }
    return span;
  }

  // Every time on the page that shows only the event's zone gets the reader's
  // beside it, a batch at a time: a busy day has hundreds, and one long task
  // would hold up the reader's first tap.
  var BATCH = 40;

  function showReaderTimes(zone) {
    var all = document.querySelectorAll(".times");
    var next = 0;
    function batch() {
      var end = Math.min(next + BATCH, all.length);
      for (; next < end; next++) {
        if (!addReaderTime(all[next], zone)) {
          return; // a zone this browser cannot format: the server shows it next time
        }
      }
      if (next < all.length) {
        window.setTimeout(batch, 0);
      }
    }
    batch();
  }

  // False when the zone cannot be formatted here.
  function addReaderTime(times, zone) {
    var eventTime = times.querySelector(".event-time");
    if (!eventTime || times.querySelector(".reader-time")) {
      return true;
    }
    var instants = eventTime.querySelectorAll("time");
    var abbr = eventTime.querySelector("abbr");
    var date = /^(\d{4})-(\d\d)-(\d\d)/.exec(instants.length ? instants[0].dateTime : "");
    if (!instants.length || !abbr || !date) {
      return true;
    }
    var eventDate = Number(date[1]) * 10000 + Number(date[2]) * 100 + Number(date[3]);
    var span;
    try {
      span = readerSpan(instants, abbr.title, abbr.textContent, eventDate, zone);
    } catch (error) {
      return false;
    }
    if (span) {
      times.appendChild(document.createTextNode(" \u00b7 "));
      times.appendChild(span);
    }
    return true;
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
  showReaderTimes(zone);
})();
