// The register's service worker, served by pos.views.register_service_worker at /register/sw.js
// (scope /register/) with VERSION, PAGE, ASSETS and CATALOG prepended by the view.
//
// - The page shell (/register/) and its static files are cached when the worker installs, so
//   the register opens with no network once it has been loaded.
// - Page: network first, the cached copy when the network fails. Static files: cache first
//   (their content is in VERSION; a new version installs a new cache and drops the old one).
// - The catalog API's GET answers (products, categories): network first, the last answer when
//   offline. The whole catalog is kept in IndexedDB by catalog.js, not here.
// - Product thumbnails (IMAGES): cache first, they never change under one name. Only those the
//   register has shown (100,000 pictures are never fetched ahead), in their own cache that
//   survives a new version of the worker and keeps the last THUMBNAILS_KEPT (oldest out).
// Nothing else is touched: every write goes to the network, and sales made offline wait in
// IndexedDB (offline.js), never in this cache.
/* global VERSION, PAGE, ASSETS, CATALOG, IMAGES */
const CACHE = `pos-register-${VERSION}`;
const THUMBNAILS = "pos-thumbnails";
const THUMBNAILS_KEPT = 2000;
const TRIM_EVERY = 50; // thumbnails stored between two trims of the cache
let storedSinceTrim = 0;

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

async function thumbnail(event) {
  const cache = await caches.open(THUMBNAILS);
  const cached = await cache.match(event.request);
  if (cached) return cached;
  const response = await fetch(event.request);
  if (response.ok) {
    await cache.put(event.request, response.clone());
    storedSinceTrim += 1;
    if (storedSinceTrim >= TRIM_EVERY) {
      storedSinceTrim = 0;
      event.waitUntil(trimThumbnails());
    }
  }
  return response;
}

// The cache lists its entries in the order they were stored: the oldest go first.
async function trimThumbnails() {
  const cache = await caches.open(THUMBNAILS);
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - THUMBNAILS_KEPT))) {
    await cache.delete(request);
  }
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
    event.respondWith(thumbnail(event));
  }
});
