// The register page: catalog, cart, scanner, shortcuts. Plain ES modules, no build step.
// Every amount shown comes from the server; see money.js for the few sums done here.
import { $, $$, h, icon, fill, format, isEditable, debounce } from "./dom.js";
import { createApi } from "./api.js";
import { createMoney } from "./money.js";
import { installScanner } from "./scanner.js";
import { createPayment } from "./payment.js";
import { createShift } from "./shift.js";
import { createSales } from "./sales.js";
import { pendingCount, recordOfflineSale, syncOfflineSales } from "./offline.js";
import { createOfflineCart } from "./offline-cart.js";
import { catalogMeta, loadCatalog, syncCatalog } from "./catalog.js";

const config = JSON.parse($("#register-config").textContent);
const t = config.messages;
const urls = config.urls;
const api = createApi(t);
const money = createMoney(config);

const state = {
  cart: null,
  category: "",
  query: "",
  products: [],
  next: null,
  selected: null,
  parked: 0,
  sale: null,
  nextCart: null,
  offline: null, // the offline cart (offline-cart.js) while the server cannot be reached
  online: false, // the page started online (shift, parked sales and catalog refresh are loaded)
  paidCart: null, // the id of the server cart just paid: never carried offline
  catalog: null, // the IndexedDB catalog, indexed (catalog.js): searched while offline
  shown: 0, // how many products of a search in that catalog are shown
};

const app = $("#app");
const grid = $("#product-grid");
const search = $("#search");
const lineList = $("#cart-lines");
const lineElements = new Map();

// ------------------------------------------------------------------ messages

function toast(message, kind = "info") {
  const box = $("#toasts");
  const item = h(
    "div",
    { class: `toast toast-${kind}` },
    h("span", { class: "toast-text" }, message),
    h(
      "button",
      { type: "button", class: "toast-close", "aria-label": t.dismiss, onclick: () => item.remove() },
      icon("close"),
    ),
  );
  box.append(item);
  // On a phone one message at a time: a stack of toasts would hide the products.
  while (box.children.length > (isPhone() ? 1 : 3)) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === "error" ? 6000 : 3500);
}

function showBanner(message, { link, action } = {}) {
  const banner = $("#banner");
  fill(
    banner,
    h("span", {}, message),
    link ? h("a", { class: "button button-small", href: link.href }, link.text) : null,
    action
      ? h("button", { type: "button", class: "button button-small", onclick: action.run }, action.text)
      : null,
  );
  banner.hidden = false;
}

function cartAlert(message) {
  const box = $("#cart-alert");
  if (!message) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  fill(
    box,
    h("span", {}, message),
    h(
      "button",
      { type: "button", class: "alert-close", "aria-label": t.dismiss, onclick: () => cartAlert("") },
      icon("close"),
    ),
  );
  box.hidden = false;
}

/** Every failure ends here: a sentence on screen, never a blank page or a stack trace. */
function report(error, { quiet = false } = {}) {
  if (error && error.name === "AbortError") return;
  // Our own messages are sentences for the cashier; anything else (a bug) is not shown as is.
  const message = error && error.name === "ApiError" ? error.message : t.page_error;
  if (error && error.name !== "ApiError") console.error(error);
  if (error && error.kind === "session") {
    showBanner(t.session, { link: { href: urls.login, text: t.sign_in } });
    return;
  }
  if (!quiet) cartAlert(message);
  // On a phone showing the products the cart is out of sight: say it in a toast as well.
  if (quiet || (isPhone() && app.dataset.view !== "cart")) toast(message, "error");
}

const isPhone = () => window.matchMedia("(max-width: 719px)").matches;

// ------------------------------------------------------------------ cart

let queue = Promise.resolve();

/**
 * Cart changes run one after another (fast scans stay in order); each returns the cart.
 * `offline()` is the same change made on the offline cart (returns its payload): it runs
 * instead of `action` once the register is offline, and retries the change when `action`
 * finds the server unreachable and the register switches to offline selling (goOffline), so
 * the cashier never scans twice. Without it the change needs the server: a message says so.
 */
function cartAction(action, { onError, offline } = {}) {
  const run = queue.then(async () => {
    if (state.offline) return runOffline(offline);
    $("#cart").setAttribute("aria-busy", "true");
    try {
      const cart = await action();
      if (cart) applyCart(cart);
      cartAlert("");
      return cart;
    } catch (error) {
      if (unreachable(error) && (await goOffline())) return runOffline(offline);
      if (onError && onError(error)) return null;
      report(error);
      if (error.status === 404 || error.code === "cart_not_open") await reopenCart();
      return null;
    } finally {
      $("#cart").setAttribute("aria-busy", "false");
    }
  });
  queue = run.catch(() => null);
  return run;
}

function runOffline(offline) {
  if (!offline) {
    toast(t.offline_unavailable, "error");
    return null;
  }
  const cart = offline();
  if (cart) applyCart(cart);
  cartAlert("");
  return cart;
}

const cartUrl = (suffix = "") => `${urls.carts}${state.cart.id}/${suffix}`;

async function reopenCart() {
  try {
    const { data } = await api.post(urls.carts);
    applyCart(data);
  } catch (error) {
    report(error);
  }
}

function addProduct(productId, name) {
  if (!state.cart) return null; // still loading
  const shown = state.products.find((x) => x.id === productId);
  return cartAction(
    async () => {
      const { data } = await api.post(cartUrl("lines/"), { product: productId, quantity: 1 });
      if (isPhone()) toast(format(t.added, { name }), "ok");
      return data;
    },
    {
      offline() {
        const product = shown || (state.catalog && state.catalog.product(productId));
        return product ? state.offline.add(product) : null;
      },
    },
  );
}

/** A scan on the offline cart: the catalog kept in the browser, else what the page has shown. */
function scanOffline(code) {
  const product =
    (state.catalog && state.catalog.byBarcode(code)) || state.products.find((x) => x.barcode === code);
  if (product) return state.offline.add(product);
  toast(format(t.unknown_barcode, { code }), "error");
  return null;
}

function scan(code) {
  if (!state.cart) return; // still loading
  if (payment.isOpen()) {
    toast(t.scan_busy, "error");
    return;
  }
  for (const dialog of $$("dialog[open]")) {
    if (dialog.id === "done-dialog") {
      startNewSale();
    }
    dialog.close();
  }
  cartAction(
    async () => {
      const { data } = await api.post(cartUrl("lines/"), { barcode: code });
      const line = data.lines.find((x) => x.barcode === code);
      if (isPhone() && line) toast(format(t.added, { name: line.name }), "ok");
      return data;
    },
    {
      offline: () => scanOffline(code),
      onError(error) {
        if (error.code !== "unknown_barcode") return false;
        toast(format(t.unknown_barcode, { code }), "error");
        return true;
      },
    },
  );
}

async function setQuantity(line, quantity) {
  if (quantity === line.quantity) return;
  const cart = await cartAction(
    async () => {
      const { data } = await api.patch(cartUrl(`lines/${line.id}/`), { quantity });
      return data;
    },
    { offline: () => state.offline.setQuantity(line.product, quantity) },
  );
  // Refused, or clamped offline: show the real quantity again.
  if (state.cart && (!cart || cart.offline)) renderCart({ force: true });
}

function removeLine(line) {
  return cartAction(
    async () => {
      const { data } = await api.del(cartUrl(`lines/${line.id}/`));
      toast(format(t.removed, { name: line.name }));
      return data;
    },
    { offline: () => state.offline.remove(line.product) },
  );
}

function changedLine(previous, cart) {
  if (!previous || previous.id !== cart.id) return null;
  const before = new Map(previous.lines.map((line) => [line.id, line.quantity]));
  let changed = null;
  for (const line of cart.lines) {
    if (before.get(line.id) !== line.quantity) changed = line.id;
  }
  return changed;
}

function applyCart(cart) {
  if (cart.offline) keepOfflineCart(cart);
  else {
    // Remembered for a start with no network: offline sales are made on this register.
    try {
      localStorage.setItem("pos-register", JSON.stringify(cart.register));
    } catch {
      // storage refused (private window): offline sales then need the page loaded online
    }
  }
  const previous = state.cart;
  state.cart = cart;
  const changed = changedLine(previous, cart);
  if (changed) state.selected = changed;
  if (!cart.lines.some((line) => line.id === state.selected)) {
    state.selected = cart.lines.length ? cart.lines[cart.lines.length - 1].id : null;
  }
  renderCart();
  if (changed) flash(changed);
}

function flash(lineId) {
  const element = lineElements.get(lineId);
  if (!element) return;
  element.classList.remove("flash");
  void element.offsetWidth; // restart the animation on a second scan of the same product
  element.classList.add("flash");
  element.scrollIntoView({ block: "nearest" });
  const tab = $("#phone-cart-tab");
  tab.classList.remove("flash");
  void tab.offsetWidth;
  tab.classList.add("flash");
}

function renderCart({ force = false } = {}) {
  const cart = state.cart;
  const count = cart.item_count;
  $("#cart-count").textContent = count ? (count === 1 ? t.item : format(t.items, { count })) : "";
  $("#register-name").textContent = cart.register.name;

  const seen = new Set();
  cart.lines.forEach((line, index) => {
    seen.add(line.id);
    let element = lineElements.get(line.id);
    if (!element) {
      element = lineElement(line);
      lineElements.set(line.id, element);
    }
    updateLine(element, line, force);
    if (lineList.children[index] !== element) lineList.insertBefore(element, lineList.children[index] || null);
  });
  for (const [id, element] of lineElements) {
    if (!seen.has(id)) {
      element.remove();
      lineElements.delete(id);
    }
  }
  $("#cart-empty").hidden = cart.lines.length > 0;
  $("#cart-empty-text").textContent = t.empty_cart;

  renderTotals(cart);
  const pay = $("#pay-button");
  pay.disabled = !cart.lines.length;
  $("#pay-label").textContent = format(t.pay, { amount: cart.formatted.total });
  $("#phone-total").textContent = count ? `${count} · ${cart.formatted.total}` : "";
  // Parking, clearing and discounts are the server's: not offline (offlineControls says why).
  $("#park-button").disabled = !cart.lines.length || Boolean(cart.offline);
  $("#clear-button").disabled = !cart.lines.length || Boolean(cart.offline);
  const discount = $("#discount-button");
  if (discount) discount.disabled = Boolean(cart.offline);
  resetClear();
}

function lineElement(line) {
  const input = h("input", {
    class: "qty-input",
    inputmode: "numeric",
    autocomplete: "off",
    enterkeyhint: "done",
    maxlength: 4,
  });
  const element = h(
    "li",
    { class: "line", dataset: { lineId: line.id } },
    h(
      "div",
      { class: "line-info" },
      h("span", { class: "line-name" }),
      h("span", { class: "line-unit" }),
    ),
    h(
      "div",
      { class: "stepper" },
      h("button", { type: "button", class: "step step-down" }, icon("minus")),
      input,
      h("button", { type: "button", class: "step step-up" }, icon("plus")),
    ),
    h("span", { class: "line-total" }),
    h("button", { type: "button", class: "line-remove" }, icon("trash")),
  );
  const current = () => state.cart.lines.find((x) => x.id === line.id);
  element.addEventListener("focusin", () => select(line.id));
  element.addEventListener("click", (event) => {
    if (!event.target.closest("button, input")) select(line.id);
  });
  element.querySelector(".step-down").addEventListener("click", () => {
    const now = current();
    if (now && now.quantity > 1) setQuantity(now, now.quantity - 1);
  });
  element.querySelector(".step-up").addEventListener("click", () => {
    const now = current();
    if (now) setQuantity(now, now.quantity + 1);
  });
  element.querySelector(".line-remove").addEventListener("click", () => {
    const now = current();
    if (now) removeLine(now);
  });
  let committed = null;
  const commit = () => {
    const now = current();
    if (!now) return;
    const value = input.value.trim();
    if (value === committed) return;
    committed = value;
    if (!/^\d{1,4}$/.test(value)) {
      input.value = String(now.quantity);
      cartAlert(t.bad_quantity);
      return;
    }
    const quantity = Number(value);
    if (quantity === 0) removeLine(now);
    else setQuantity(now, quantity);
  };
  input.addEventListener("change", commit);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commit();
      input.select();
    } else if (event.key === "Escape") {
      const now = current();
      if (now) input.value = String(now.quantity);
    }
  });
  input.addEventListener("focus", () => {
    committed = null;
    input.select();
  });
  return element;
}

function updateLine(element, line, force) {
  element.querySelector(".line-name").textContent = line.name;
  const discount = money.fromApi(line.discount.amount);
  element.querySelector(".line-unit").textContent =
    format(t.each, { price: line.formatted.unit_price }) +
    (discount ? ` · −${line.formatted.discount}` : "");
  element.querySelector(".line-total").textContent = line.formatted.line_total;
  const input = element.querySelector(".qty-input");
  // Keep what the cashier is typing; otherwise show the server's quantity.
  const typing = document.activeElement === input && input.value !== input.dataset.quantity;
  if (force || !typing) input.value = String(line.quantity);
  input.dataset.quantity = String(line.quantity);
  input.setAttribute("aria-label", format(t.qty, { name: line.name }));
  const down = element.querySelector(".step-down");
  down.setAttribute("aria-label", format(t.decrease, { name: line.name }));
  down.disabled = line.quantity <= 1;
  element.querySelector(".step-up").setAttribute("aria-label", format(t.increase, { name: line.name }));
  element.querySelector(".line-remove").setAttribute("aria-label", format(t.remove, { name: line.name }));
  const selected = line.id === state.selected;
  element.classList.toggle("is-selected", selected);
  if (selected) element.setAttribute("aria-current", "true");
  else element.removeAttribute("aria-current");
}

function select(lineId) {
  if (state.selected === lineId) return;
  state.selected = lineId;
  for (const [id, element] of lineElements) {
    element.classList.toggle("is-selected", id === lineId);
    if (id === lineId) element.setAttribute("aria-current", "true");
    else element.removeAttribute("aria-current");
  }
}

function selectedLine() {
  return state.cart && state.cart.lines.find((line) => line.id === state.selected);
}

function moveSelection(step) {
  const lines = state.cart ? state.cart.lines : [];
  if (!lines.length) return;
  const index = lines.findIndex((line) => line.id === state.selected);
  const next = lines[Math.min(Math.max(index + step, 0), lines.length - 1)];
  select(next.id);
  lineElements.get(next.id).scrollIntoView({ block: "nearest" });
}

function renderTotals(cart) {
  const rows = [row(t.subtotal, cart.formatted.subtotal)];
  if (money.fromApi(cart.discount_total.amount)) {
    rows.push(row(t.discount, `−${cart.formatted.discount_total}`, "totals-discount"));
  }
  cart.tax.forEach((band, index) => {
    const rate = band.rate.includes(".") ? band.rate.replace(/\.?0+$/, "") : band.rate;
    const label = format(cart.prices_include_tax ? t.tax_included : t.tax, { rate });
    rows.push(row(label, cart.formatted.tax[index]));
  });
  rows.push(row(t.total, cart.formatted.total, "totals-total"));
  fill($("#totals"), rows);
}

const row = (label, value, extra = "") =>
  h("div", { class: `totals-row ${extra}`.trim() }, h("dt", {}, label), h("dd", {}, value));

// ------------------------------------------------------------------ catalog

let productRequest = null;

/** A page of the catalog kept in the browser (offline): same rules and order as the API. */
function searchKeptCatalog({ more }) {
  state.shown = more ? state.shown + config.page_size : config.page_size;
  const found = state.catalog.search(state.query, { category: state.category, limit: state.shown });
  state.products = found.products;
  state.next = found.more ? "kept" : null;
  renderProducts({ more: false, added: found.products });
}

async function loadProducts({ more = false } = {}) {
  if (state.offline && state.catalog) {
    searchKeptCatalog({ more });
    return;
  }
  if (productRequest) productRequest.abort();
  const controller = new AbortController();
  productRequest = controller;
  const params = new URLSearchParams({ active: "true", page_size: String(config.page_size) });
  if (state.query) params.set("search", state.query);
  if (state.category) params.set("category", state.category);
  let url = `${urls.products}?${params}`;
  if (more && state.next) url = state.next;
  else if (!state.query && !state.category) url = urls.first_products; // preloaded
  grid.setAttribute("aria-busy", "true");
  try {
    const { data } = await api.get(url, { signal: controller.signal });
    state.products = more ? [...state.products, ...data.results] : data.results;
    state.next = data.next;
    renderProducts({ more, added: data.results });
  } catch (error) {
    if (controller.signal.aborted) return;
    if (!state.cart) throw error; // first load: the caller shows it
    fill(grid, h("p", { class: "grid-message" }, error.message));
    report(error, { quiet: true });
  } finally {
    if (productRequest === controller) {
      productRequest = null;
      grid.setAttribute("aria-busy", "false");
    }
  }
}

function renderProducts({ more, added }) {
  $("#more-products")?.remove();
  const tiles = (more ? added : state.products).map(tile);
  if (more) grid.append(...tiles);
  else fill(grid, tiles);
  if (!state.products.length) {
    const message = state.query ? format(t.no_products_search, { query: state.query }) : t.no_products;
    fill(
      grid,
      h(
        "div",
        { class: "grid-message" },
        h("p", {}, message),
        state.category && state.query
          ? h("button", { type: "button", class: "button", onclick: () => chooseCategory("") }, t.search_all)
          : null,
      ),
    );
  }
  if (state.next) {
    grid.append(
      h(
        "button",
        { type: "button", class: "button more-products", id: "more-products", onclick: () => loadProducts({ more: true }) },
        t.show_more,
      ),
    );
  }
}

function tile(product) {
  const stock = product.quantity_on_hand;
  let badge = null;
  if (stock <= 0) badge = h("span", { class: "badge badge-out" }, t.out_of_stock);
  else if (product.low_stock) badge = h("span", { class: "badge badge-low" }, format(t.left, { count: stock }));
  const placeholder = () =>
    h("span", { class: `tile-img tile-placeholder ph-${product.id % 6}`, "aria-hidden": "true" }, initials(product.name));
  const picture = product.thumbnail_url
    ? h("img", {
        class: "tile-img",
        src: product.thumbnail_url,
        alt: "",
        loading: "lazy",
        decoding: "async",
        width: 160,
        height: 160,
        // Offline, a picture this register never showed is not kept: its initials instead.
        onerror: (event) => event.target.replaceWith(placeholder()),
      })
    : placeholder();
  return h(
    "button",
    {
      type: "button",
      class: stock <= 0 ? "tile is-out" : "tile",
      dataset: { product: product.id, barcode: product.barcode || "" },
      onclick: () => addProduct(product.id, product.name),
    },
    picture,
    h("span", { class: "tile-name" }, product.name),
    h("span", { class: "tile-foot" }, h("span", { class: "tile-price" }, product.price_formatted), badge),
  );
}

function initials(name) {
  return name
    .split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word))
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join("");
}

function renderCategories(categories) {
  const nav = $("#categories");
  const all = nav.querySelector("[data-category='']");
  fill(
    nav,
    all,
    categories.map((category) =>
      h("button", { type: "button", class: "chip", dataset: { category: category.id }, "aria-pressed": "false" }, category.name),
    ),
  );
}

function chooseCategory(id) {
  state.category = String(id);
  for (const chip of $$("#categories .chip")) {
    chip.setAttribute("aria-pressed", String(chip.dataset.category === state.category));
  }
  loadProducts();
}

const searchSoon = debounce(() => {
  state.query = search.value.trim();
  loadProducts();
}, 180);

// ------------------------------------------------------------------ park, clear, discount

function park() {
  if (!state.cart || !state.cart.lines.length) return;
  cartAction(async () => {
    await api.post(cartUrl("park/"));
    const { data } = await api.post(urls.carts);
    setParked(state.parked + 1);
    toast(t.parked, "ok");
    return data;
  });
}

function setParked(count) {
  state.parked = count;
  const badge = $("#parked-count");
  badge.textContent = String(count);
  badge.hidden = !count;
}

async function openParked() {
  if (state.offline) {
    toast(t.offline_unavailable, "error");
    return;
  }
  const dialog = $("#parked-dialog");
  const list = $("#parked-list");
  const errorBox = $("#parked-error");
  errorBox.hidden = true;
  fill(list, h("li", { class: "parked-empty" }, t.loading));
  if (!dialog.open) dialog.showModal();
  try {
    const { data } = await api.get(urls.carts);
    setParked(data.results.length);
    if (!data.results.length) {
      fill(list, h("li", { class: "parked-empty" }, t.no_parked));
      return;
    }
    fill(
      list,
      data.results.map((cart) =>
        h(
          "li",
          { class: "parked-item" },
          h(
            "div",
            { class: "parked-info" },
            h("strong", {}, format(t.parked_cart, { id: cart.id })),
            h(
              "span",
              { class: "parked-meta" },
              `${cart.item_count === 1 ? t.item : format(t.items, { count: cart.item_count })} · ${cart.formatted.total}`,
            ),
            h("span", { class: "parked-names" }, cart.lines.map((line) => line.name).join(", ")),
          ),
          h(
            "button",
            {
              type: "button",
              class: "button button-primary",
              onclick: () => resume(cart.id),
              "aria-label": `${t.resume}: ${format(t.parked_cart, { id: cart.id })}`,
            },
            t.resume,
          ),
        ),
      ),
    );
    list.querySelector("button")?.focus();
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
    if (error.kind === "session") report(error);
  }
}

function resume(cartId) {
  $("#parked-dialog").close();
  cartAction(async () => {
    const { data } = await api.post(`${urls.carts}${cartId}/resume/`);
    const parked = await api.get(urls.carts);
    setParked(parked.data.results.length);
    toast(t.resumed, "ok");
    return data;
  });
}

let clearTimer = 0;

function clearCart() {
  const button = $("#clear-button");
  if (!button.classList.contains("is-confirming")) {
    button.classList.add("is-confirming");
    $("#clear-label").textContent = t.clear_confirm;
    clearTimer = setTimeout(resetClear, 4000);
    return;
  }
  resetClear();
  cartAction(async () => {
    const { data } = await api.del(cartUrl());
    toast(t.cleared);
    return data;
  });
}

function resetClear() {
  clearTimeout(clearTimer);
  const button = $("#clear-button");
  button.classList.remove("is-confirming");
  $("#clear-label").textContent = t.clear;
}

function setupDiscount() {
  const dialog = $("#discount-dialog");
  if (!dialog || !config.can_discount) return;
  const form = $("#discount-form");
  const input = $("#discount-value");
  const errorBox = $("#discount-error");
  const send = async (kind, value, message) => {
    errorBox.hidden = true;
    const cart = await cartAction(
      async () => (await api.post(cartUrl("discount/"), { kind, value })).data,
      {
        onError(error) {
          errorBox.textContent = error.message;
          errorBox.hidden = false;
          return error.kind !== "session";
        },
      },
    );
    if (cart) {
      dialog.close();
      toast(message, "ok");
    }
  };
  $("#discount-button").addEventListener("click", () => {
    errorBox.hidden = true;
    const rule = state.cart && state.cart.cart_discount_rule;
    input.value = rule ? rule.value : "";
    if (rule) form.elements.kind.value = rule.kind;
    dialog.showModal();
    input.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const units = money.fromInput(input.value);
    if (units === null || units < 0) {
      errorBox.textContent = t.invalid_amount;
      errorBox.hidden = false;
      return;
    }
    send(form.elements.kind.value, money.toApi(units), t.discount_applied);
  });
  $("#discount-remove").addEventListener("click", () => send("amount", "0", t.discount_removed));
}

// ------------------------------------------------------------------ paying and the next sale

const shift = createShift({
  api,
  money,
  t,
  urls,
  locale: config.locale,
  getRegisterId: () => state.cart.register.id,
  toast,
  report,
});

const sales = createSales({
  api,
  money,
  t,
  urls,
  config,
  locale: config.locale,
  report,
  onChange() {
    // A refund or void changes the cash expected in the drawer: read the shift again.
    shift.load().catch(() => null);
  },
});

function openSales() {
  if ($$("dialog[open]").length) return;
  if (state.offline) {
    toast(t.offline_unavailable, "error");
    return;
  }
  sales.open();
}

const payment = createPayment({
  api,
  money,
  t,
  urls,
  getCart: () => state.cart,
  onPaid: showDone,
  sendOffline,
  onError(error) {
    if (error.kind === "session") report(error);
    if (error.code === "no_open_shift") {
      $("#pay-dialog").close();
      shift.askForFloat(error.message);
      return true;
    }
    return false;
  },
});

function openPayment() {
  if (!state.cart || $$("dialog[open]").length) return;
  if (!state.cart.lines.length) {
    toast(t.cart_empty, "error");
    return;
  }
  payment.open();
}

function showDone(sale) {
  state.sale = sale;
  if (!sale.offline) state.paidCart = state.cart.id;
  state.nextCart = null;
  const title = sale.offline ? t.sale_done_offline : t.sale_done;
  $("#done-title").textContent = format(title, { number: sale.number });
  $("#download-pdf").hidden = Boolean(sale.offline); // the official receipt comes after sync
  if ($("#email-form")) $("#email-form").hidden = Boolean(sale.offline);
  const change = money.fromApi(sale.change.amount);
  $("#done-change").textContent = sale.formatted.change;
  $("#done-change-box").classList.toggle("is-zero", change === 0);
  const paid = sale.payments.map((p) => {
    const label = p.method === "card" ? p.card || t.card : p.method === "cash" ? t.cash : t.other;
    const shown = p.method === "cash" ? p.tendered : p.amount;
    return `${label} ${money.text(money.fromApi(shown.amount))}`;
  });
  $("#done-summary").textContent = [format(t.sale_total, { amount: sale.formatted.total }), ...paid].join(" · ");
  $("#done-dialog").dataset.offline = sale.offline ? "true" : "";
  if (sale.offline) {
    $("#print-receipt").href = "#offline-receipt";
    $("#done-dialog").showModal();
    $("#new-sale").focus();
    return;
  }
  // ?print=1: the receipt page opens the browser's print dialog by itself.
  $("#print-receipt").href = `${sale.receipt_urls.html}?print=1`;
  const emailForm = $("#email-form");
  if (emailForm) {
    emailForm.reset();
    $("#email-status").textContent = "";
  }
  $("#download-pdf").href = sale.receipt_urls.pdf;
  $("#download-pdf").setAttribute("download", `${sale.number}.pdf`);
  $("#done-dialog").showModal();
  $("#new-sale").focus();
  // The paid cart is closed; open the next one now so the next scan is instant.
  api.post(urls.carts).then(
    ({ data }) => {
      state.nextCart = data;
    },
    () => {
      state.nextCart = null;
    },
  );
}

function setupEmail() {
  const form = $("#email-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("#email-status");
    const button = $("#email-send");
    if (!state.sale) return;
    button.disabled = true;
    status.textContent = t.sending;
    try {
      const { data } = await api.post(`${urls.sales}${state.sale.number}/email-receipt/`, {
        email: $("#receipt-email").value.trim(),
      });
      status.textContent = data.detail;
    } catch (error) {
      status.textContent = error.message;
      if (error.kind === "session") report(error);
    } finally {
      button.disabled = false;
    }
  });
}

function startNewSale() {
  if (!state.sale) return;
  state.sale = null;
  const dialog = $("#done-dialog");
  if (dialog.open) dialog.close();
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  setView("products");
  if (state.offline) {
    applyCart(state.offline.clear());
    backOnlineSoon(); // the sale made offline is paid: back online if the server answers
    return;
  }
  // The paid cart has nothing to carry: if the server is gone now, the next sale starts offline.
  cartAction(async () => state.nextCart || (await api.post(urls.carts)).data, {
    offline: () => null,
  });
}

// ------------------------------------------------------------------ layout, shortcuts

function setView(view) {
  app.dataset.view = view;
  for (const tab of $$(".phone-tab")) tab.setAttribute("aria-pressed", String(tab.dataset.view === view));
}

function openHelp() {
  const dialog = $("#help-dialog");
  if (!dialog.open && !$$("dialog[open]").length) dialog.showModal();
}

function onShortcut(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key;
  const typing = isEditable(event.target);
  const dialogOpen = $$("dialog[open]").length > 0;
  const done = $("#done-dialog").open;

  if (done && !typing) {
    if (key === "n" || key === "N") {
      event.preventDefault();
      startNewSale();
    } else if (key === "p" || key === "P") {
      event.preventDefault();
      $("#print-receipt").click();
    }
    return;
  }
  if (key === "F2" || (key === "/" && !typing && !dialogOpen)) {
    if (dialogOpen) return;
    event.preventDefault();
    setView("products");
    search.focus();
    search.select();
    return;
  }
  if (key === "F4" || key === "F9") {
    event.preventDefault();
    openPayment();
    return;
  }
  if (key === "F6") {
    event.preventDefault();
    openSales();
    return;
  }
  if (key === "F8") {
    event.preventDefault();
    if (!dialogOpen) park();
    return;
  }
  if (typing || dialogOpen) return;
  if (key === "?") {
    event.preventDefault();
    openHelp();
    return;
  }
  const line = selectedLine();
  if ((key === "+" || key === "=") && line) {
    event.preventDefault();
    setQuantity(line, line.quantity + 1);
  } else if ((key === "-" || key === "_") && line) {
    event.preventDefault();
    if (line.quantity > 1) setQuantity(line, line.quantity - 1);
  } else if (key === "Delete" && line) {
    event.preventDefault();
    removeLine(line);
  } else if (
    (key === "ArrowDown" || key === "ArrowUp") &&
    (event.target === document.body || event.target.closest("#cart-lines"))
  ) {
    event.preventDefault();
    moveSelection(key === "ArrowDown" ? 1 : -1);
  }
}

function wire() {
  search.addEventListener("input", searchSoon);
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const query = search.value.trim();
    if (/^\d{6,}$/.test(query)) {
      // A barcode typed by hand: add it like a scan.
      searchSoon.cancel();
      search.value = "";
      state.query = "";
      loadProducts();
      scan(query);
    } else if (state.products.length === 1 && state.query === query) {
      addProduct(state.products[0].id, state.products[0].name);
      search.select();
    }
  });
  $("#categories").addEventListener("click", (event) => {
    const chip = event.target.closest(".chip");
    if (chip) chooseCategory(chip.dataset.category);
  });
  $("#pay-button").addEventListener("click", openPayment);
  $("#park-button").addEventListener("click", park);
  $("#parked-button").addEventListener("click", openParked);
  $("#clear-button").addEventListener("click", clearCart);
  $("#help-button").addEventListener("click", openHelp);
  $("#sales-button").addEventListener("click", openSales);
  $("#new-sale").addEventListener("click", startNewSale);
  $("#done-dialog").addEventListener("close", startNewSale);
  for (const tab of $$(".phone-tab")) tab.addEventListener("click", () => setView(tab.dataset.view));
  for (const dialog of $$("dialog")) {
    for (const button of $$("[data-close]", dialog)) button.addEventListener("click", () => dialog.close());
    if (!["pay-dialog", "done-dialog", "sales-dialog"].includes(dialog.id)) {
      // A click on the dimmed backdrop closes the smaller dialogs.
      dialog.addEventListener("click", (event) => {
        if (event.target === dialog) dialog.close();
      });
    }
  }
  setupDiscount();
  setupEmail();
  document.addEventListener("keydown", onShortcut);
  installScanner(scan);
  window.addEventListener("error", () => showBanner(t.page_error));
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason && event.reason.name === "AbortError") return;
    showBanner(t.page_error);
  });
}

// ------------------------------------------------------------------ offline sales

// Sales made offline wait in IndexedDB (offline.js) until the server confirms each one; they
// are sent when the page starts and whenever the browser says the network is back.
async function syncOffline() {
  let result;
  try {
    result = await syncOfflineSales({ post: api.post, url: urls.offline_sales });
  } catch {
    return null; // no IndexedDB here (a private window may refuse it): nothing was queued either
  }
  if (result.sent.length) toast(format(t.offline_synced, { count: result.sent.length }));
  if (result.waiting) showBanner(format(t.offline_waiting, { count: result.waiting }));
  else if (result.refused) showBanner(format(t.offline_refused, { count: result.refused }));
  return result;
}

// A sale paid offline: priced again and queued by offline.js, shown like a completed sale.
async function sendOffline(payments) {
  const record = await recordOfflineSale(state.offline.sale(payments), config.pricing_rules, {
    cardRefused: t.card_offline,
  });
  forgetOfflineCart(); // paid: a reload now must not bring its lines back
  const text = (amount) => money.text(money.fromApi(amount));
  showBanner(format(t.offline_waiting, { count: await pendingCount() }));
  return {
    offline: record,
    number: record.provisional_number,
    change: { amount: record.settlement.change },
    formatted: { change: text(record.settlement.change), total: text(record.priced.total) },
    payments: record.settlement.tenders.map((tender) => ({
      method: tender.method,
      tendered: { amount: tender.tendered },
      amount: { amount: tender.applied },
    })),
  };
}

/** The printed receipt of a sale made offline, drawn in the page from what was queued. */
function printOfflineReceipt(record) {
  const text = (amount) => money.text(money.fromApi(amount));
  const when = new Date(record.created_at).toLocaleString(config.locale);
  const rows = record.priced.lines.map((line, index) =>
    h(
      "tr",
      {},
      h("td", {}, `${line.quantity} × ${record.names[index]}`),
      h("td", { class: "num" }, text(line.total)),
    ),
  );
  const taxes = record.priced.tax_bands.map((band) =>
    h("tr", {}, h("td", {}, format(t.tax, { rate: band.rate })), h("td", { class: "num" }, text(band.tax))),
  );
  const paid = record.settlement.tenders.map((tender) =>
    h(
      "tr",
      {},
      h("td", {}, tender.method === "cash" ? t.cash : t.other),
      h("td", { class: "num" }, text(tender.tendered)),
    ),
  );
  fill(
    $("#offline-receipt"),
    h("h2", {}, document.querySelector(".brand").textContent),
    h("p", {}, `${record.provisional_number} · ${when}`),
    h(
      "table",
      {},
      h("tbody", {}, ...rows, ...taxes, h("tr", { class: "total" }, h("td", {}, t.total), h("td", { class: "num" }, text(record.priced.total))), ...paid, h("tr", {}, h("td", {}, t.receipt_change), h("td", { class: "num" }, text(record.settlement.change)))),
    ),
    h("p", {}, t.offline_receipt_note),
  );
  document.body.classList.add("print-offline-receipt");
  window.addEventListener("afterprint", () => document.body.classList.remove("print-offline-receipt"), {
    once: true,
  });
  window.print();
}

/** A JSON value kept in localStorage or sessionStorage; null when absent, unreadable or refused. */
function storedJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function rememberedRegister() {
  return storedJson(localStorage, "pos-register");
}

/**
 * Opened with no network, or the server lost mid-shift (goOffline): sell from the catalog
 * kept in IndexedDB (catalog.js), or, before it was ever downloaded, from the catalog answers
 * the service worker kept; pay cash or other. `carried` is the server cart in progress, whose
 * lines move to the offline cart.
 */
async function startOffline({ register = rememberedRegister(), carried = null } = {}) {
  if (!register) return false; // never loaded online in this browser: no register to sell on
  state.catalog = await loadCatalog({ formatPrice }).catch(() => null);
  if (state.catalog && !state.catalog.size) state.catalog = null;
  state.offline = createOfflineCart({ rules: config.pricing_rules, money, register });
  if (state.catalog) {
    renderCategories(state.catalog.categories);
    searchKeptCatalog({ more: false });
    showCatalogStatus(state.catalog.meta);
  } else {
    let categories;
    try {
      [categories] = await Promise.all([api.get(urls.categories), state.products.length ? null : loadProducts()]);
    } catch {
      state.offline = null;
      return false;
    }
    renderCategories(categories.data);
    renderProducts({ more: false, added: state.products });
  }
  if (carried) carryCart(carried);
  else restoreOfflineCart(register);
  applyCart(state.offline.payload());
  document.documentElement.dataset.ready = "true";
  document.documentElement.dataset.offline = "true";
  offlineControls(true);
  probeWhileOffline();
  const waiting = await pendingCount().catch(() => 0);
  showBanner(format(t.offline_waiting, { count: waiting }));
  return true;
}

// ------------------------------------------------------------------ the network lost mid-shift

// The offline cart in progress, kept in this tab's sessionStorage so that a reload does not
// lose it (its server cart is emptied once back online: releaseCarriedCart). Per tab: another
// tab has its own sale.
const KEPT = "pos-offline-cart";

function keepOfflineCart(cart) {
  if (!cart.lines.length || state.sale) {
    forgetOfflineCart();
    return;
  }
  try {
    sessionStorage.setItem(KEPT, JSON.stringify({ register: cart.register.id, lines: state.offline.lines() }));
  } catch {
    // storage refused: the cart lives as long as the page
  }
}

function forgetOfflineCart() {
  try {
    sessionStorage.removeItem(KEPT);
  } catch {
    // storage refused: nothing was kept
  }
}

function keptOfflineCart() {
  return storedJson(sessionStorage, KEPT);
}

function restoreOfflineCart(register) {
  const kept = keptOfflineCart();
  if (!kept || kept.register !== register.id) return;
  for (const line of kept.lines) state.offline.carry(line);
}

/** The server cannot be reached: no answer at all, or a proxy saying the app is down. */
function unreachable(error) {
  if (!error || error.name !== "ApiError") return false;
  return error.kind === "network" || [502, 503, 504].includes(error.status);
}

let switching = null;

/**
 * Switch to offline selling in the middle of a shift, like a start with no network, keeping
 * the cart in progress. Runs inside the cart queue (cartAction), or queued behind it.
 * Resolves to whether the register is offline now.
 */
function goOffline() {
  if (state.offline) return Promise.resolve(true);
  if (!switching) {
    const cart = state.cart;
    const carried = cart && !cart.offline && cart.id !== state.paidCart ? cart : null;
    const register = cart ? cart.register : rememberedRegister();
    switching = startOffline({ register, carried })
      .catch((error) => {
        console.error(error);
        return false;
      })
      .finally(() => {
        switching = null;
      });
  }
  return switching;
}

// The server cart whose lines went offline, remembered (localStorage, it must outlive a
// reload) until the server has been told to empty it: see releaseCarriedCart.
const CARRIED = "pos-carried-cart";

function carriedCart() {
  return storedJson(localStorage, CARRIED);
}

function rememberCarried(cart) {
  try {
    localStorage.setItem(CARRIED, JSON.stringify({ id: cart.id, register: cart.register.id }));
  } catch {
    // storage refused: the server cart keeps its lines, the cashier clears it by hand
  }
}

/** The lines of the server cart move to the offline cart; what cannot move is said. */
function carryCart(cart) {
  rememberCarried(cart);
  for (const line of cart.lines) {
    state.offline.carry({
      product: line.product,
      name: line.name,
      sku: line.sku,
      barcode: line.barcode,
      unit_price: line.unit_price.amount,
      tax_rate: line.tax_rate,
      quantity: line.quantity,
    });
  }
  toast(t.offline_switched, "error");
  if (money.fromApi(cart.discount_total.amount)) toast(t.offline_no_discount, "error");
}

/**
 * Once the server answers again, empty the server cart whose lines were carried offline: the
 * sale was finished (or given up) offline and reaches the server through the offline-sales
 * queue, so the server cart must not keep the same lines for the next sale. Done here with the
 * existing clear-cart endpoint, not by the offline sale, because a sale given up offline must
 * empty it too, and because emptying it does not depend on that sale being accepted (a sale
 * refused for a manager stays in the queue). Throws when the server is still unreachable.
 */
async function releaseCarriedCart() {
  const carried = carriedCart();
  if (!carried) return;
  const url = `${urls.carts}${carried.id}/`;
  try {
    await api.del(url);
  } catch (error) {
    if (unreachable(error) || error.kind === "session") throw error;
    // 404 (another cashier's, or gone) or 409 (parked or paid meanwhile): nothing to empty.
    // Paid: a checkout reached the server but its answer was lost when the network dropped,
    // and the same customer may have paid again offline. Say so; a manager voids one.
    if (error.code === "cart_not_open") {
      const cart = await api.get(url).catch(() => null);
      if (cart && cart.data.status === "checked_out") showBanner(t.offline_paid_online);
    }
  }
  try {
    localStorage.removeItem(CARRIED);
  } catch {
    // storage refused: nothing was remembered either
  }
}

const PROBE_SECONDS = 15;
let probeTimer = 0;

/** While offline, ask the server every few seconds whether it is back (the network may be up
 * while the server is not, and then no `online` event comes). */
function probeWhileOffline() {
  clearInterval(probeTimer);
  probeTimer = setInterval(backOnlineSoon, PROBE_SECONDS * 1000);
}

let returning = null;

function backOnlineSoon() {
  if (!returning) {
    returning = backOnline()
      .catch((error) => {
        if (!unreachable(error)) report(error, { quiet: true });
      })
      .finally(() => {
        returning = null;
      });
  }
  return returning;
}

/** A sale under way (lines in the offline cart, a dialog open) finishes offline first. */
const saleUnderWay = () => Boolean(state.cart && state.cart.lines.length) || $$("dialog[open]").length > 0;

/**
 * Back online: the server answers a cheap GET (not one the service worker answers from its
 * cache), the queued sales are sent, the carried server cart is emptied, and, unless a sale is
 * under way, the register sells online again.
 */
async function backOnline() {
  if (!state.offline || !navigator.onLine) return;
  await api.get(`${urls.shifts}current/`).catch((error) => {
    if (unreachable(error) || error.kind === "session") throw error;
  }); // a 404 (no open shift) answers too
  if (!state.online && !saleUnderWay()) {
    window.location.reload(); // opened offline: load the register as usual (it syncs too)
    return;
  }
  const result = await syncOffline();
  if (saleUnderWay() || !state.online) return;
  await releaseCarriedCart();
  const { data } = await api.post(urls.carts);
  if (!state.offline || saleUnderWay()) return; // the cashier scanned meanwhile: later
  state.offline = null;
  delete document.documentElement.dataset.offline;
  clearInterval(probeTimer);
  const warned = !$("#banner").hidden && $("#banner").textContent === t.offline_paid_online;
  if (!warned && (!result || (!result.waiting && !result.refused))) $("#banner").hidden = true;
  applyCart(data);
  offlineControls(false);
  loadProducts();
  refreshCatalog();
  toast(t.back_online, "ok");
}

/** Offline, the buttons that need the server are disabled and say why. */
function offlineControls(offline) {
  const ids = ["#park-button", "#clear-button", "#discount-button", "#parked-button", "#sales-button", "#shift-button"];
  for (const id of ids) {
    const button = $(id);
    if (!button) continue;
    if (offline) button.title = t.offline_unavailable;
    else button.removeAttribute("title");
    // renderCart decides for the cart's own buttons; these are the server's alone.
    if (["#parked-button", "#sales-button", "#shift-button"].includes(id)) button.disabled = offline;
  }
}

// ------------------------------------------------------------------ the catalog kept offline

const formatPrice = (amount) => money.text(money.fromApi(amount));

/** "Catalog updated 14:05" under the products: how fresh the copy kept for offline is. */
function showCatalogStatus(meta) {
  const status = $("#catalog-status");
  if (!status || !meta || !meta.synced_at) return;
  const when = new Date(meta.synced_at);
  const today = when.toDateString() === new Date().toDateString();
  const time = when.toLocaleTimeString(config.locale, { hour: "2-digit", minute: "2-digit" });
  const text = today ? time : `${when.toLocaleDateString(config.locale)} ${time}`;
  status.textContent = format(t.catalog_updated, { time: text });
  status.title = when.toLocaleString(config.locale);
  status.hidden = false;
}

/**
 * Refresh the copy of the catalog kept in IndexedDB, in the background: at start, every few
 * minutes and when the network comes back. Never in the cashier's way: a failure is retried
 * next time, and the register keeps selling online meanwhile.
 */
async function refreshCatalog() {
  if (state.offline || !navigator.onLine) return;
  try {
    const started = performance.now();
    const result = await syncCatalog({ get: api.get, url: urls.catalog_snapshot });
    performance.measure("catalog-sync", { start: started, detail: { rows: result.rows, full: result.full } });
    showCatalogStatus(result.meta);
    document.documentElement.dataset.catalog = String(result.count);
  } catch (error) {
    if (error && error.name !== "ApiError") console.warn("catalog refresh failed", error);
  }
}

let catalogTimer = 0;

function keepCatalogFresh() {
  catalogMeta()
    .then(showCatalogStatus)
    .catch(() => null);
  refreshCatalog();
  clearInterval(catalogTimer);
  catalogTimer = setInterval(refreshCatalog, config.catalog_refresh_seconds * 1000);
}

// ------------------------------------------------------------------ start

/** Started online after a sale moved offline: its server cart is emptied first. */
async function cartAfterOffline() {
  await releaseCarriedCart();
  return (await api.post(urls.carts)).data;
}

async function start() {
  $("#banner").hidden = true;
  // A sale begun offline before a reload is finished offline, then the register comes back.
  if (keptOfflineCart() && (await startOffline())) return;
  try {
    const [cart, categories] = await Promise.all([
      api.post(urls.carts),
      api.get(urls.categories),
      loadProducts(),
    ]);
    renderCategories(categories.data);
    applyCart(carriedCart() ? await cartAfterOffline() : cart.data);
    state.online = true;
    document.documentElement.dataset.ready = "true";
    performance.mark("register-ready"); // read by the browser tests: time to interactive
  } catch (error) {
    if (error.kind === "session") {
      report(error);
    } else if (unreachable(error)) {
      if (await startOffline()) return;
      // Opened from the service worker's cache with no network: say so, and what waits.
      const waiting = await pendingCount().catch(() => 0);
      showBanner(format(t.offline_start, { count: waiting }), {
        action: { text: t.retry, run: start },
      });
    } else {
      showBanner(`${t.load_failed} ${error.message}`, { action: { text: t.retry, run: start } });
    }
    $("#cart-empty-text").textContent = t.load_failed;
    fill(grid, h("p", { class: "grid-message" }, error.message));
    return;
  }
  // Not needed to start scanning: the shift (asked for before the first payment) and the
  // number of parked sales.
  try {
    const [current, parked] = await Promise.all([shift.load(), api.get(urls.carts)]);
    setParked(parked.data.results.length);
    if (current === null && !$$("dialog[open]").length) shift.askForFloat();
  } catch (error) {
    report(error, { quiet: true });
  } finally {
    document.documentElement.dataset.shift = "checked";
  }
  await syncOffline();
  document.documentElement.dataset.offlineSync = "done";
  keepCatalogFresh();
}


// The service worker keeps the page and its files, so the register opens with no network.
function installServiceWorker() {
  if (!("serviceWorker" in navigator)) return; // not a secure origin (plain http to a LAN IP)
  navigator.serviceWorker.register(urls.service_worker, { scope: urls.register }).catch(() => {});
  $(".topbar-user").addEventListener("submit", () => {
    const worker = navigator.serviceWorker.controller;
    if (worker) worker.postMessage("signed-out");
  });
}

wire();
installServiceWorker();
$("#print-receipt").addEventListener("click", (event) => {
  if (!state.sale || !state.sale.offline) return;
  event.preventDefault();
  printOfflineReceipt(state.sale.offline);
});
window.addEventListener("online", () => {
  // Back to selling online, unless a sale is under way: that one finishes offline first.
  if (state.offline) backOnlineSoon();
  else if (document.documentElement.dataset.ready) {
    syncOffline();
    refreshCatalog();
  } else start(); // opened offline: load the register now that the network is back
});
window.addEventListener("offline", () => {
  // The browser knows first: switch now (behind any change in flight), unless the payment
  // dialog is open; its own error says the server is unreachable, and the next scan switches.
  if (!state.online || state.offline || payment.isOpen()) return;
  queue = queue.then(goOffline).catch(() => null);
});
start();
