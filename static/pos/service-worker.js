// The register's service worker, served by pos.views.register_service_worker at /register/sw.js
// (scope /register/) with VERSION, PAGE, ASSETS and CATALOG prepended by the view.
//
// - The page shell (/register/) and its static files are cached when the worker installs, so
//   the register opens with no network once it has been loaded.
// - Page: network first, the cached copy when the network fails. Static files: cache first
//   (their content is in VERSION; a new version installs a new cache and drops the old one).
// - The catalog API's GET answers (products, categories): network first, the last answer when
//   offline. Product thumbnails (IMAGES): cache first, they never change under one name. Nothing else is touched: every write goes to the network, and sales made offline
//   wait in IndexedDB (offline.js), never in this cache.
/* global VERSION, PAGE, ASSETS, CATALOG, IMAGES */
const CACHE = `pos-register-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      try {
        await keepPage(cache, await fetch(PAGE, { credentials: "same-origin" }));
      } catch {
        // offline while installing: the page is cached the next time it loads
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("pos-register-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// Signing out forgets the page: it carries the cashier's name and session's CSRF token.
self.addEventListener("message", (event) => {
  if (event.data === "signed-out") {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(PAGE)));
  }
});

async function keepPage(cache, response) {
  // Only the real page: never a redirect to the login page or an error.
  if (response.ok && !response.redirected) await cache.put(PAGE, response.clone());
  return response;
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (key === PAGE) return await keepPage(cache, response);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(networkFirst(request, PAGE));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (CATALOG.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(networkFirst(request, request.url));
  } else if (IMAGES.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(cacheFirst(request));
  }
});
