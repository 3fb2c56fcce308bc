// The whole catalog in the browser, for scanning and searching with no network.
//
// - Kept in IndexedDB ("pos-catalog"): one record per active product, the compact row of
//   GET /api/v1/catalog/snapshot/ (pos/catalog_api.py) keyed by its id, plus a few facts in
//   "meta" (when it was refreshed, the snapshot's as_of, tax rates, categories).
// - Refreshed from the server in chunks: the first time everything, afterwards only what
//   changed since the last refresh (`updated_since`). Each chunk is written in one IndexedDB
//   transaction (puts queued without awaiting each one), while the next chunk downloads.
// - Searched in memory: `loadCatalog()` reads the rows once and builds a small index: the
//   products in name order, their lowercased names (and SKUs, barcodes) joined into one string
//   each, so a search is a few native `indexOf` calls over a few megabytes, stopped as soon as a
//   page of results is found; barcodes in a Map for scans. The rules are the server's
//   (catalog/selectors.py search_q): name contains the text, or SKU starts with it, or, for
//   digits, barcode starts with it, any case; results in name order.
// No DOM here: register.js shows the products and the "Catalog updated" line.

const DB_NAME = "pos-catalog";
const DB_VERSION = 1;
const PRODUCTS = "products";
const META = "meta";
const FIELDS = [
  "id",
  "name",
  "sku",
  "barcode",
  "price",
  "tax_rate",
  "category",
  "quantity_on_hand",
  "low_stock_threshold",
  "thumbnail_url",
];
const [ID, NAME, SKU, BARCODE, PRICE, TAX, CATEGORY, STOCK, THRESHOLD, THUMBNAIL] = FIELDS.keys();
const SEP = "\n"; // never in a name, SKU or barcode the search is given (the box is one line)

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("aborted"));
  });
}

let opening = null;

export function openCatalog() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(PRODUCTS); // out-of-line keys: the product id
        db.createObjectStore(META);
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = () => {
        opening = null;
        reject(request.error);
      };
    });
  }
  return opening;
}

/** What the last refresh left: { as_of, synced_at, tax_rates, categories, currency } or {}. */
export async function catalogMeta() {
  const db = await openCatalog();
  return (await promised(db.transaction(META).objectStore(META).get("state"))) || {};
}

export async function catalogCount() {
  const db = await openCatalog();
  return promised(db.transaction(PRODUCTS).objectStore(PRODUCTS).count());
}

function checkFields(page) {
  if (page.fields.join() !== FIELDS.join()) throw new Error(`Unexpected catalog fields: ${page.fields}`);
}

async function writeChunk(db, page, seen) {
  const transaction = db.transaction(PRODUCTS, "readwrite");
  const store = transaction.objectStore(PRODUCTS);
  for (const row of page.rows) {
    store.put(row, row[ID]);
    if (seen) seen.add(row[ID]);
  }
  for (const id of page.deleted) store.delete(id);
  await finished(transaction);
}

async function saveMeta(db, meta) {
  const transaction = db.transaction(META, "readwrite");
  transaction.objectStore(META).put(meta, "state");
  await finished(transaction);
}

/** Download chunk after chunk from `first`, writing each while the next one downloads. */
async function download(db, get, first, seen) {
  let page = (await get(first)).data;
  checkFields(page);
  const head = page;
  let rows = 0;
  while (page) {
    const next = page.next ? get(page.next) : null;
    if (next) next.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    await writeChunk(db, page, seen);
    rows += page.rows.length;
    page = next ? (await next).data : null;
  }
  return { head, rows };
}

let syncing = null;

/**
 * Bring the IndexedDB copy up to date. `get(url)` is api.js's get. Incremental when a previous
 * refresh finished (`updated_since`), whole otherwise or when `full`; a count that disagrees
 * with the server's after an incremental refresh (a product deleted outright) means a whole
 * download. Resolves to { full, rows, count, meta }; one refresh at a time per page.
 */
export function syncCatalog({ get, url, full = false, chunk = 0 }) {
  if (!syncing) {
    syncing = runSync({ get, url, full, chunk }).finally(() => {
      syncing = null;
    });
  }
  return syncing;
}

async function runSync({ get, url, full, chunk }) {
  const db = await openCatalog();
  const previous = await catalogMeta();
  const params = new URLSearchParams();
  if (chunk) params.set("limit", String(chunk));
  const incremental = !full && previous.as_of;
  if (incremental) params.set("updated_since", previous.as_of);
  const first = params.size ? `${url}?${params}` : url;
  const seen = incremental ? null : new Set();
  const { head, rows } = await download(db, get, first, seen);
  if (seen) await forgetOthers(db, seen); // a whole download: what it did not list is gone
  const count = await catalogCount();
  if (incremental && count !== head.active_count) {
    return runSync({ get, url, full: true, chunk });
  }
  const meta = {
    as_of: head.as_of,
    synced_at: new Date().toISOString(),
    currency: head.currency,
    tax_rates: head.tax_rates,
    categories: head.categories,
  };
  await saveMeta(db, meta);
  return { full: !incremental, rows, count, meta };
}

async function forgetOthers(db, seen) {
  const transaction = db.transaction(PRODUCTS, "readwrite");
  const store = transaction.objectStore(PRODUCTS);
  const keys = await promised(store.getAllKeys());
  for (const key of keys) if (!seen.has(key)) store.delete(key);
  await finished(transaction);
}

// ------------------------------------------------------------------ the in-memory index

function lowerJoined(values) {
  // Offsets into the joined text: entry i starts at starts[i] (after its separator).
  const starts = new Int32Array(values.length + 1);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    starts[i] = position + 1;
    position += values[i].length + 1;
  }
  starts[values.length] = position + 1;
  return { text: SEP + values.join(SEP), starts };
}

function entryAt(starts, position) {
  // The entry holding `position`: binary search over the start offsets.
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The variants a scanned code may be stored under (catalog/selectors.py barcode_variants). */
function barcodeVariants(code) {
  if (code.length === 13 && code.startsWith("0")) return [code, code.slice(1)];
  if (code.length === 12) return [code, `0${code}`];
  return [code];
}

/** Forget the whole copy (the next refresh downloads everything). */
export async function clearCatalog() {
  const db = await openCatalog();
  const transaction = db.transaction([PRODUCTS, META], "readwrite");
  transaction.objectStore(PRODUCTS).clear();
  transaction.objectStore(META).clear();
  await finished(transaction);
}

/**
 * The catalog ready to search: reads every row from IndexedDB once and indexes it.
 * `formatPrice(amount)` gives the products their `price_formatted`.
 * Resolves to { size, meta, categories, search(text, { category, limit }), byBarcode(code),
 * product(id) }; products are shaped like the catalog API's.
 */
export async function loadCatalog({ formatPrice = (amount) => amount } = {}) {
  const db = await openCatalog();
  const transaction = db.transaction([PRODUCTS, META]);
  const [rows, meta] = await Promise.all([
    promised(transaction.objectStore(PRODUCTS).getAll()),
    promised(transaction.objectStore(META).get("state")),
  ]);
  return indexCatalog(rows, meta || {}, { formatPrice });
}

export function indexCatalog(rows, meta = {}, { formatPrice = (amount) => amount } = {}) {
  rows.sort((a, b) => (a[NAME] < b[NAME] ? -1 : a[NAME] > b[NAME] ? 1 : a[ID] - b[ID]));
  const names = lowerJoined(rows.map((row) => row[NAME].toLowerCase()));
  const skus = lowerJoined(rows.map((row) => row[SKU].toLowerCase()));
  const barcodes = lowerJoined(rows.map((row) => row[BARCODE]));
  const byBarcode = new Map();
  const byId = new Map();
  rows.forEach((row, index) => {
    if (row[BARCODE]) byBarcode.set(row[BARCODE], index);
    byId.set(row[ID], index);
  });
  const taxRates = new Map((meta.tax_rates || []).map(([id, name, rate]) => [id, { id, name, rate }]));
  const categories = new Map(
    (meta.categories || []).map(([id, name, slug]) => [id, { id, name, slug }]),
  );

  /** Positions (in name order) of the first `want` entries matching, in order. */
  function scan(joined, needle, accept, want, found) {
    let position = joined.text.indexOf(needle);
    let taken = 0;
    while (position !== -1 && taken < want) {
      const index = entryAt(joined.starts, position + (needle[0] === SEP ? 1 : 0));
      if (accept(index)) {
        found.add(index);
        taken += 1;
      }
      // On to the next entry: one hit per product is enough.
      position = joined.text.indexOf(needle, joined.starts[index + 1] - 1);
    }
  }

  function search(text, { category = "", limit = 60 } = {}) {
    const term = text.trim().toLowerCase();
    const categoryId = category === "" || category === null ? null : Number(category);
    const accept =
      categoryId === null ? () => true : (index) => rows[index][CATEGORY] === categoryId;
    const want = limit + 1; // one more: is there a next page?
    let positions;
    if (!term) {
      positions = [];
      for (let index = 0; index < rows.length && positions.length < want; index++) {
        if (accept(index)) positions.push(index);
      }
    } else {
      // The first `want` of each list hold the first `want` of their union.
      const found = new Set();
      scan(names, term, accept, want, found);
      scan(skus, SEP + term, accept, want, found);
      if (/^\d+$/.test(term)) scan(barcodes, SEP + term, accept, want, found);
      positions = [...found].sort((a, b) => a - b).slice(0, want);
    }
    return {
      products: positions.slice(0, limit).map((index) => toProduct(rows[index])),
      more: positions.length > limit,
    };
  }

  function toProduct(row) {
    const rate = taxRates.get(row[TAX]) || { id: row[TAX], name: "", rate: "0.00" };
    return {
      id: row[ID],
      name: row[NAME],
      sku: row[SKU],
      barcode: row[BARCODE] || null,
      price: { amount: row[PRICE], currency: meta.currency },
      price_formatted: formatPrice(row[PRICE]),
      tax_rate: rate,
      category: categories.get(row[CATEGORY]) || null,
      quantity_on_hand: row[STOCK],
      low_stock_threshold: row[THRESHOLD],
      low_stock: row[STOCK] <= row[THRESHOLD],
      thumbnail_url: row[THUMBNAIL],
    };
  }

  return {
    size: rows.length,
    meta,
    categories: [...categories.values()],
    search,
    byBarcode(code) {
      for (const variant of barcodeVariants(code.trim())) {
        const index = byBarcode.get(variant);
        if (index !== undefined) return toProduct(rows[index]);
      }
      return null;
    },
    product(id) {
      const index = byId.get(id);
      return index === undefined ? null : toProduct(rows[index]);
    },
  };
}
