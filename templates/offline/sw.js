// confguide's service worker: my schedule, and the schedule days of its
// events, kept on this device for venue Wi-Fi that comes and goes.
//
// - Static files have hashed names: cache first, kept at install.
// - Pages of my schedule (and the pages they mark with data-offline, such as
//   the days of their events) are fetched from the network first; each
//   answer is kept, with the time it was fetched. Without a network the kept
//   copy is served, with an "Offline copy from ..." notice in it;
//   static/js/offline.js reloads it when the network is back.
// - Never kept: anything but GET, other sites, the admin, accounts, the
//   calendar feeds (.ics), searches (?q=) and redirects.
// - Signing in, out or deleting the account answers with Clear-Site-Data,
//   which empties these caches and unregisters this worker
//   (confguide/offline.py).
"use strict";

const VERSION = "__CACHE_VERSION__";
const STATIC_CACHE = "confguide-static-" + VERSION;
const PAGE_CACHE = "confguide-pages";
const PRECACHE = {{ precache_json|safe }};
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const MY_SCHEDULE = "{{ my_schedule|escapejs }}";
const SAVED_AT = "X-Offline-Saved-At";
// How many pages one visit to my schedule may add: a week's days of a few
// events, and the pages of the sessions saved for them.
const MAX_FOLLOWED = 120;
const NEVER_KEPT = [/^\/admin\//, /^\/accounts\//, /\.ics$/, /\/calendar\//];

function keepable(url) {
  if (url.origin !== self.location.origin || url.searchParams.has("q")) {
    return false;
  }
  return !NEVER_KEPT.some((pattern) => pattern.test(url.pathname));
}

function isMySchedule(url) {
  return url.pathname.startsWith(MY_SCHEDULE);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("confguide-static-") && name !== STATIC_CACHE)
            .map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
      .then(refreshKeptPages)
  );
});

// Kept pages name the static files of the worker that kept them: fetch them
// again so they match this one's (those that fail stay as they were).
async function refreshKeptPages() {
  const cache = await caches.open(PAGE_CACHE);
  const requests = await cache.keys();
  await Promise.all(requests.map((request) => fetchAndKeep(request.url).catch(() => null)));
}

// Fetch a page and keep a copy stamped with the time; resolves to the page's text.
// The header tells the server this is a copy for later, not the reader's next
// page: a message waiting for them (such as "You have signed out") stays for
// the page they open (confguide.personal).
async function fetchAndKeep(href) {
  const response = await fetch(href, {
    credentials: "same-origin",
    redirect: "follow",
    headers: { "X-Offline-Copy": "1" },
  });
  if (!response.ok || response.redirected || response.type !== "basic") {
    return null;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("text/html")) {
    return null;
  }
  const text = await response.text();
  await keep(href, response, text);
  return text;
}

// What a kept copy keeps of the answer's headers: the page's own CSP among them.
const KEPT_HEADERS = [
  "Content-Type",
  "Content-Security-Policy",
  "Referrer-Policy",
  "X-Content-Type-Options",
  "X-Frame-Options",
];

function keptHeaders(from) {
  const headers = new Headers();
  for (const name of KEPT_HEADERS) {
    if (from.headers.has(name)) {
      headers.set(name, from.headers.get(name));
    }
  }
  return headers;
}

async function keep(href, response, text) {
  const headers = keptHeaders(response);
  headers.set(SAVED_AT, new Date().toISOString());
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(href, new Response(text, { status: 200, headers: headers }));
}

// The links a page marks with data-offline: my schedule's events, their days.
function markedLinks(html, base) {
  const found = [];
  const tags = html.match(/<a\b[^>]*\bdata-offline\b[^>]*>/g) || [];
  for (const tag of tags) {
    const href = /\bhref="([^"]+)"/.exec(tag);
    if (!href) {
      continue;
    }
    const url = new URL(href[1].replace(/&amp;/g, "&"), base);
    url.hash = "";
    if (keepable(url)) {
      found.push(url.href);
    }
  }
  return found;
}

// From a page of my schedule, keep what it marks, and what those mark in turn.
async function follow(html, base) {
  const seen = new Set([base]);
  let queue = markedLinks(html, base);
  while (queue.length && seen.size <= MAX_FOLLOWED) {
    const next = [];
    for (const href of queue) {
      if (seen.has(href) || seen.size > MAX_FOLLOWED) {
        continue;
      }
      seen.add(href);
      const text = await fetchAndKeep(href).catch(() => null);
      if (text && isMySchedule(new URL(href))) {
        next.push(...markedLinks(text, href));
      }
    }
    queue = next;
  }
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function savedAtText(iso) {
  const moment = new Date(iso);
  try {
    return new Intl.DateTimeFormat("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(moment);
  } catch (error) {
    return moment.toUTCString();
  }
}

// The kept copy, with a notice at the top of the main content saying from when.
async function offlineCopy(cached) {
  const iso = cached.headers.get(SAVED_AT) || "";
  const notice =
    '<p class="offline-notice alert alert-warning" role="status" data-offline-copy>' +
    'You are offline. Offline copy from <time datetime="' + escapeHtml(iso) + '">' +
    escapeHtml(savedAtText(iso)) +
    "</time>; it refreshes when you are back online.</p>";
  const html = (await cached.text()).replace(/<main\b[^>]*>/, (tag) => tag + notice);
  const headers = keptHeaders(cached);
  headers.set("Cache-Control", "no-store");
  return new Response(html, { status: 200, headers: headers });
}

function notKeptPage() {
  const html =
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>Offline · confguide</title>" +
    '<link rel="stylesheet" href="' + escapeHtml(PRECACHE[0]) + '"></head>' +
    '<body><main class="container py-4"><h1>You are offline</h1>' +
    "<p>This page is not kept on this device. Your schedule and the days of its events are: " +
    '<a href="' + escapeHtml(MY_SCHEDULE) + '">open my schedule</a>.</p></main></body></html>';
  return new Response(html, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; frame-ancestors 'none'",
    },
  });
}

async function page(event, url) {
  const cache = await caches.open(PAGE_CACHE);
  let response;
  try {
    response = await fetch(event.request);
  } catch (offline) {
    const cached = await cache.match(url.href);
    return cached ? offlineCopy(cached) : notKeptPage();
  }
  const keepIt = keepable(url) && (isMySchedule(url) || (await cache.match(url.href)));
  const type = response.headers.get("Content-Type") || "";
  if (keepIt && response.ok && !response.redirected && type.startsWith("text/html")) {
    const text = await response.clone().text();
    const kept = keep(url.href, response, text).then(() =>
      isMySchedule(url) ? follow(text, url.href) : null
    );
    event.waitUntil(kept.catch(() => null));
  }
  return response;
}

async function staticFile(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(STATIC_CACHE);
    putQuietly(cache, request, response.clone());
  }
  return response;
}

function putQuietly(cache, request, response) {
  cache.put(request, response).catch(() => null);
}

// Files without a hashed name that every page loads (the theme colours):
// the network's answer when there is one, else the last one kept.
async function fresh(request) {
  const cache = await caches.open(STATIC_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      putQuietly(cache, request, response.clone());
    }
    return response;
  } catch (offline) {
    const cached = await cache.match(request);
    if (cached) {
      return cached;
    }
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return; // posts, and everything else that changes something, go to the network
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(event, url));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fresh(request));
  }
});
