// Sales made while the server cannot be reached: priced in the browser, kept in IndexedDB until
// the server confirms them, sent in order to POST /api/v1/offline-sales/ (pos/offline.py).
//
// - Pricing: static/pos/pricing.js, the port of pos/pricing.py checked against shared vectors,
//   so the register and the server agree to the cent; the server re-prices anyway.
// - Exactly once: each sale gets a UUID (the server's idempotency key) and a provisional number
//   when it is made, both stored with it. A retry, another tab or another device sending it
//   again gets the same sale back, so the queue may be sent any number of times. Tabs of one
//   browser also take turns (a Web Lock) so they do not send the same sale at the same moment.
// - Durable: the queue is IndexedDB, which survives a reload and closing the browser; a sale
//   leaves it only after the server answered that it is recorded.
// No DOM here: register.js shows the banner and the count.
import { PricingError, priceCart, settleTenders } from "./pricing.js";
import { newIdempotencyKey } from "./api.js";

const DB_NAME = "pos-offline";
const DB_VERSION = 1;
const SALES = "sales"; // the queue, in the order the sales were made (autoincrement `seq`)
const META = "meta"; // counters: the provisional numbers of each register
const LOCK = "pos-offline-sync";
const CARD_REFUSED =
  "Card payments need the network: the bank must approve them. Take cash or another payment.";

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

export function openQueue() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        const sales = db.createObjectStore(SALES, { keyPath: "seq", autoIncrement: true });
        sales.createIndex("client_id", "client_id", { unique: true });
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

/** The queued sales, oldest first. */
export async function pendingSales() {
  const db = await openQueue();
  return promised(db.transaction(SALES).objectStore(SALES).getAll());
}

export async function pendingCount() {
  const db = await openQueue();
  return promised(db.transaction(SALES).objectStore(SALES).count());
}

/**
 * Price a cart with the store's rules and settle its tenders, as the server will.
 * cart: { register, lines: [{ product, name, quantity, unit_price, tax_rate, discount }],
 * cart_discount, payments: [{ method, amount, reference }] }. Card payments are refused: the
 * gateway must approve a card online (code "card_offline"). Throws PricingError.
 */
export function priceOfflineSale(cart, rules, { cardRefused = CARD_REFUSED } = {}) {
  if (cart.payments.some((payment) => payment.method === "card")) {
    throw new PricingError(cardRefused, "card_offline");
  }
  const lines = cart.lines.map((line, index) => ({
    key: index,
    unit_price: line.unit_price,
    quantity: line.quantity,
    tax_rate: line.tax_rate,
    discount: line.discount || "0",
  }));
  const priced = priceCart(lines, rules, cart.cart_discount || null);
  const settlement = settleTenders(priced.total, cart.payments, rules);
  return { priced, settlement };
}

/**
 * Price, number and queue a sale made offline. Resolves to the queued record: what the server
 * will receive (`payload`) plus the priced cart and settlement for the printed receipt.
 */
export async function recordOfflineSale(cart, rules, { now = new Date(), cardRefused } = {}) {
  const { priced, settlement } = priceOfflineSale(cart, rules, { cardRefused });
  const db = await openQueue();
  const transaction = db.transaction([SALES, META], "readwrite");
  const meta = transaction.objectStore(META);
  const counterKey = `number:${cart.register}`;
  const record = {
    client_id: newIdempotencyKey(),
    created_at: now.toISOString(),
    priced,
    settlement,
    names: cart.lines.map((line) => line.name || ""),
    status: "waiting",
    error: "",
  };
  const last = (await promised(meta.get(counterKey))) || 0;
  meta.put(last + 1, counterKey);
  record.provisional_number = `OFF-${cart.register}-${String(last + 1).padStart(4, "0")}`;
  record.payload = {
    client_id: record.client_id,
    provisional_number: record.provisional_number,
    register: cart.register,
    sold_at: record.created_at,
    lines: cart.lines.map((line) => ({
      product: line.product,
      quantity: line.quantity,
      unit_price: line.unit_price,
      tax_rate: line.tax_rate,
      discount: line.discount || "0",
    })),
    cart_discount: cart.cart_discount || null,
    payments: cart.payments.map((payment) => ({
      method: payment.method,
      amount: payment.amount,
      reference: payment.reference || "",
    })),
    total: priced.total,
  };
  record.seq = await promised(transaction.objectStore(SALES).add(record));
  await finished(transaction);
  return record;
}

async function removeSale(seq) {
  const db = await openQueue();
  const transaction = db.transaction(SALES, "readwrite");
  transaction.objectStore(SALES).delete(seq);
  await finished(transaction);
}

async function markRefused(record, message) {
  const db = await openQueue();
  const transaction = db.transaction(SALES, "readwrite");
  transaction.objectStore(SALES).put({ ...record, status: "refused", error: message });
  await finished(transaction);
}

function withLock(run) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request(LOCK, run);
  return run();
}

/**
 * Send the queue to the server, oldest first. `post(url, body)` is api.js's post.
 * Stops at the first network or server failure (the rest waits for the next try) and resolves
 * to { sent: [server answers], refused, waiting, offline }. A sale the server refuses for good
 * (a 4xx: e.g. its product was deleted) stays in the queue marked "refused" with the reason, for
 * a manager, and no longer holds up the sales after it.
 */
export function syncOfflineSales({ post, url }) {
  return withLock(async () => {
    const sent = [];
    let offline = false;
    for (const record of await pendingSales()) {
      if (record.status === "refused") continue;
      try {
        const answer = await post(url, record.payload);
        sent.push(answer.data);
        await removeSale(record.seq);
      } catch (error) {
        if (error.kind === "network" || error.kind === "server" || error.kind === "session") {
          offline = error.kind === "network";
          break;
        }
        await markRefused(record, error.message);
      }
    }
    const left = await pendingSales();
    return {
      sent,
      offline,
      refused: left.filter((record) => record.status === "refused").length,
      waiting: left.filter((record) => record.status !== "refused").length,
    };
  });
}
