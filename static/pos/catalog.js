// The whole catalog in the browser, for scanning and searching with no network.
//
// - Kept in IndexedDB ("pos-catalog") as the chunks GET /api/v1/catalog/snapshot/
//   (pos/catalog_api.py) sent: one record per chunk of a few thousand compact rows, not one
//   per product. Chromium spends ~90 µs on each record written: 100,000 records took 8–12 s on
//   the development machine, 20 chunk records 0.2–0.3 s (and reading them back 0.1–0.4 s
//   instead of 2 s).
// - A whole download writes a new generation of chunks, one transaction per chunk, while the
//   next chunk downloads; the last transaction switches to it and drops the old one, so an
//   interrupted download leaves the previous copy whole.
// - Afterwards only what changed (`updated_since`): each answer is kept as one "patch" record
//   (rows to add or replace, ids to forget), applied over the chunks when the copy is read.
//   The ids held are kept too, to compare their number with the server's (`active_count`: a
//   product deleted outright leaves no trace otherwise); a difference, or patches grown past
//   COMPACT_AFTER rows, means a whole download.
// - Searched in memory: `loadCatalog()` reads the copy once and builds a small index: the
//   products in name order, their lowercased names (and SKUs, barcodes) joined into one string
//   each, so a search is a few native `indexOf` calls over a few megabytes, stopped as soon as a
//   page of results is found; barcodes in a Map for scans. The rules are the server's
//   (catalog/selectors.py search_q): name contains the text, or SKU starts with it, or, for
//   digits, barcode starts with it, any case; results in name order.
// No DOM here: register.js shows the products and the "Catalog updated" line.

const DB_NAME = "pos-catalog";
const DB_VERSION = 1;
const CHUNKS = "chunks"; // key [generation, n] → array of rows
const PATCHES = "patches"; // autoincrement → { rows, deleted }
const META = "meta"; // "state" → the facts below; "ids" → the product ids held
const COMPACT_AFTER = 20000;
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
        db.createObjectStore(CHUNKS);
        db.createObjectStore(PATCHES, { autoIncrement: true });
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

/**
 * What the last refresh left: { as_of, synced_at, currency, tax_rates, categories, generation,
 * count, patched } or {}.
 */
export async function catalogMeta() {
  const db = await openCatalog();
  return (await promised(db.transaction(META).objectStore(META).get("state"))) || {};
}

/** Forget the whole copy (the next refresh downloads everything). */
export async function clearCatalog() {
  const db = await openCatalog();
  const transaction = db.transaction([CHUNKS, PATCHES, META], "readwrite");
  for (const name of [CHUNKS, PATCHES, META]) transaction.objectStore(name).clear();
  await finished(transaction);
}

function checkFields(page) {
  if (page.fields.join() !== FIELDS.join()) throw new Error(`Unexpected catalog fields: ${page.fields}`);
}

/** Download chunk after chunk from `first`; `store(page, n)` runs while the next downloads. */
async function download(get, first, store) {
  let page = (await get(first)).data;
  checkFields(page);
  const head = page;
  let rows = 0;
  for (let n = 0; page; n++) {
    const next = page.next ? get(page.next) : null;
    if (next) next.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    await store(page, n);
    rows += page.rows.length;
    page = next ? (await next).data : null;
  }
  return { head, rows };
}

let syncing = null;

/**
 * Bring the IndexedDB copy up to date. `get(url)` is api.js's get. Only the changes when a
 * previous refresh finished (`updated_since`), everything otherwise or when `full`.
 * Resolves to { full, rows, count, meta }; one refresh at a time per page.
 */
export function syncCatalog({ get, url, full = false, chunk = 0 }) {
  if (!syncing) {
    syncing = runSync({ get, url, full, chunk }).finally(() => {
      syncing = null;
    });
  }
  return syncing;
}

function snapshotUrl(url, { chunk, since }) {
  const params = new URLSearchParams();
  if (chunk) params.set("limit", String(chunk));
  if (since) params.set("updated_since", since);
  const query = params.toString();
  return query ? `${url}?${query}` : url;
}

function metaFrom(head, extra) {
  return {
    as_of: head.as_of,
    synced_at: new Date().toISOString(),
    currency: head.currency,
    tax_rates: head.tax_rates,
    categories: head.categories,
    ...extra,
  };
}

async function runSync({ get, url, full, chunk }) {
  const db = await openCatalog();
  const previous = await catalogMeta();
  if (!full && previous.as_of && (previous.patched || 0) < COMPACT_AFTER) {
    const result = await refreshChanges(db, get, url, chunk, previous);
    if (result) return result;
  }
  return downloadAll(db, get, url, chunk, previous);
}

/** Everything, as a new generation of chunks that replaces the old one when complete. */
async function downloadAll(db, get, url, chunk, previous) {
  const generation = (previous.generation || 0) + 1;
  const ids = [];
  const { head, rows } = await download(get, snapshotUrl(url, { chunk }), async (page, n) => {
    const transaction = db.transaction(CHUNKS, "readwrite");
    const chunks = transaction.objectStore(CHUNKS);
    // Leftovers of an interrupted download of this generation go first.
    if (n === 0) chunks.delete(IDBKeyRange.lowerBound([generation]));
    chunks.put(page.rows, [generation, n]);
    for (const row of page.rows) ids.push(row[ID]);
    await finished(transaction);
  });
  const meta = metaFrom(head, { generation, count: ids.length, patched: 0 });
  const transaction = db.transaction([CHUNKS, PATCHES, META], "readwrite");
  transaction.objectStore(CHUNKS).delete(IDBKeyRange.upperBound([generation], true));
  transaction.objectStore(PATCHES).clear();
  transaction.objectStore(META).put(meta, "state");
  transaction.objectStore(META).put(Float64Array.from(ids), "ids");
  await finished(transaction);
  return { full: true, rows, count: ids.length, meta };
}

/** Only the changes since the last refresh; null when a whole download is needed. */
async function refreshChanges(db, get, url, chunk, previous) {
  const held = await promised(db.transaction(META).objectStore(META).get("ids"));
  if (!held) return null;
  const ids = new Set(held);
  let patched = previous.patched || 0;
  const since = snapshotUrl(url, { chunk, since: previous.as_of });
  const { head, rows } = await download(get, since, async (page) => {
    if (!page.rows.length && !page.deleted.length) return;
    const transaction = db.transaction(PATCHES, "readwrite");
    transaction.objectStore(PATCHES).add({ rows: page.rows, deleted: page.deleted });
    await finished(transaction);
    for (const row of page.rows) ids.add(row[ID]);
    for (const id of page.deleted) ids.delete(id);
    patched += page.rows.length + page.deleted.length;
  });
  if (ids.size !== head.active_count) return null; // something was deleted outright
  const meta = metaFrom(head, { generation: previous.generation, count: ids.size, patched });
  const transaction = db.transaction(META, "readwrite");
  transaction.objectStore(META).put(meta, "state");
  if (patched !== (previous.patched || 0)) {
    transaction.objectStore(META).put(Float64Array.from(ids), "ids");
  }
  await finished(transaction);
  return { full: false, rows, count: ids.size, meta };
}

/** The rows of the copy: the current generation's chunks with the patches applied in order. */
async function readRows(db) {
  const transaction = db.transaction([CHUNKS, PATCHES, META]);
  const meta = (await promised(transaction.objectStore(META).get("state"))) || {};
  const generation = meta.generation || 0;
  const [chunks, patches] = await Promise.all([
    promised(transaction.objectStore(CHUNKS).getAll(IDBKeyRange.bound([generation], [generation + 1]))),
    promised(transaction.objectStore(PATCHES).getAll()),
  ]);
  let rows = chunks.flat();
  if (patches.length) {
    const byId = new Map(rows.map((row, index) => [row[ID], index]));
    const gone = new Set();
    for (const patch of patches) {
      for (const row of patch.rows) {
        const index = byId.get(row[ID]);
        if (index === undefined) byId.set(row[ID], rows.push(row) - 1);
        else rows[index] = row;
        gone.delete(row[ID]);
      }
      for (const id of patch.deleted) gone.add(id);
    }
    if (gone.size) rows = rows.filter((row) => !gone.has(row[ID]));
  }
  return { rows, meta };
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

/**
 * The catalog ready to search: reads every row from IndexedDB once and indexes it.
 * `formatPrice(amount)` gives the products their `price_formatted`.
 * Resolves to { size, meta, categories, search(text, { category, limit }), byBarcode(code),
 * product(id) }; products are shaped like the catalog API's.
 */
export async function loadCatalog({ formatPrice = (amount) => amount } = {}) {
  const { rows, meta } = await readRows(await openCatalog());
  return indexCatalog(rows, meta, { formatPrice });
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
