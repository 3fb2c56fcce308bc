// The cart of a sale made offline: kept in the page, priced by pricing.js (the port of
// pos/pricing.py) and shaped like the server's cart payload, so register.js draws it with the
// same code. Paying it queues the sale in IndexedDB (offline.js) instead of calling the server.
import { priceCart } from "./pricing.js";

export function createOfflineCart({ rules, money, register }) {
  let lines = []; // { product, name, sku, barcode, unit_price, tax_rate, quantity }

  const text = (amount) => money.text(money.fromApi(amount));
  const plus = (a, b) => money.toApi(money.fromApi(a) + money.fromApi(b));

  function payload() {
    const priced = priceCart(
      lines.map((line, index) => ({
        key: index,
        unit_price: line.unit_price,
        quantity: line.quantity,
        tax_rate: line.tax_rate,
        discount: "0",
      })),
      rules,
    );
    return {
      id: "offline",
      offline: true,
      register,
      item_count: lines.reduce((count, line) => count + line.quantity, 0),
      lines: priced.lines.map((p, index) => {
        const line = lines[index];
        const discount = plus(p.discount, p.cart_discount);
        return {
          id: line.product,
          product: line.product,
          name: line.name,
          sku: line.sku,
          barcode: line.barcode,
          quantity: line.quantity,
          unit_price: { amount: p.unit_price },
          discount: { amount: discount },
          line_total: { amount: p.total },
          formatted: {
            unit_price: text(p.unit_price),
            discount: text(discount),
            line_total: text(p.total),
          },
        };
      }),
      discount_total: { amount: priced.discount_total },
      total: { amount: priced.total },
      tax: priced.tax_bands.map((band) => ({ rate: band.rate })),
      prices_include_tax: priced.prices_include_tax,
      formatted: {
        subtotal: text(priced.subtotal),
        discount_total: text(priced.discount_total),
        total: text(priced.total),
        tax: priced.tax_bands.map((band) => text(band.tax)),
      },
    };
  }

  return {
    payload,
    /** Add one unit of a catalog product (the API's product representation). */
    add(product) {
      const line = lines.find((x) => x.product === product.id);
      if (line) line.quantity += 1;
      else {
        lines.push({
          product: product.id,
          name: product.name,
          sku: product.sku,
          barcode: product.barcode || "",
          unit_price: product.price.amount,
          tax_rate: product.tax_rate.rate,
          quantity: 1,
        });
      }
      return payload();
    },
    /**
     * Take over a line of the server's cart when the network drops mid-sale (register.js):
     * { product, name, sku, barcode, unit_price, tax_rate, quantity }, amounts as API strings.
     * Discounts are not carried: the server's rules apply them, and an offline sale with a
     * discount needs the permission checked again when it syncs.
     */
    carry(line) {
      const existing = lines.find((x) => x.product === line.product);
      const quantity = Math.max(1, Math.min(9999, line.quantity));
      if (existing) existing.quantity = Math.min(9999, existing.quantity + quantity);
      else lines.push({ ...line, barcode: line.barcode || "", quantity });
      return payload();
    },
    setQuantity(productId, quantity) {
      const line = lines.find((x) => x.product === productId);
      if (line) line.quantity = Math.max(1, Math.min(9999, quantity));
      return payload();
    },
    remove(productId) {
      lines = lines.filter((x) => x.product !== productId);
      return payload();
    },
    /** The lines as carry() takes them: kept by register.js to survive a reload. */
    lines: () => lines.map((line) => ({ ...line })),
    clear() {
      lines = [];
      return payload();
    },
    /** What offline.js records for the sale, with the tenders chosen in the payment dialog. */
    sale(payments) {
      return {
        register: register.id,
        lines: lines.map((line) => ({ ...line, discount: "0" })),
        cart_discount: null,
        payments,
      };
    },
  };
}
