// The service worker (served at /sw.js by recognizer/pwa.py, so its scope is the whole site).
// It keeps the page shell — the page, its scripts, stylesheet and icons — in a cache named after
// a hash of those files, so the page opens without a network and every change installs a new
// cache that replaces the old one. Only GETs of the shell are answered here: every request to
// the API (POSTs above all) goes to the network untouched and is never stored.
{% autoescape off %}
const VERSION = "{{ version }}";
const PAGES = {{ pages }}; // navigations: the network first, the cached copy when offline
const ASSETS = {{ assets }}; // scripts, stylesheet, icons: the cache first
{% endautoescape %}
const PREFIX = "digits-shell-";
const CACHE = PREFIX + VERSION;
const SHELL = new Set([...PAGES, ...ASSETS]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // "reload": straight from the server, never from the HTTP cache (unhashed names in development).
      await cache.addAll([...SHELL].map((url) => new Request(url, { cache: "reload" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // POSTs (predictions, feedback) never touch the cache
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGES.includes(url.pathname)) {
    event.respondWith(pageFromNetworkOrCache(request, url.pathname));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(assetFromCacheOrNetwork(request, url.pathname));
  }
});

/** The page itself: fresh from the server (and kept for later), or the kept copy when offline. */
async function pageFromNetworkOrCache(request, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(path, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(path);
    if (kept) return kept;
    throw error;
  }
}

async function assetFromCacheOrNetwork(request, path) {
  const cache = await caches.open(CACHE);
  return (await cache.match(path)) ?? fetch(request);
}
