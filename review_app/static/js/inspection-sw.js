// The inspection pages' service worker (served at /inspections/sw.js, scope /inspections/).
// On a factory floor without signal the inspector's page and its assets come from this cache:
// pages are fetched from the network first (and the copy refreshed), the cache answers when
// the network does not. Saves never pass through here: inspection.js queues them in IndexedDB
// and posts them when the connection returns.
"use strict";
var CACHE = "inspection-v1";
var PAGE = /^\/inspections\/(\d+)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function offlinePage() {
  return new Response(
    "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>无网络</title><p>当前无网络，此页面尚未保存在本机。请联网后再打开。</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = request.mode === "navigate" && PAGE.test(url.pathname);
  var asset = url.pathname.indexOf("/static/") === 0;
  if (!page && !asset) { return; }
  var key = page ? url.pathname : url.pathname + url.search;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(key, { ignoreSearch: page }).then(function (cached) {
        return cached || (page ? offlinePage() : Response.error());
      });
    })
  );
});
