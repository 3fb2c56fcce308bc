// Barcode scanners are keyboards: they type the code's digits very fast, then Enter.
// Outside text fields any run of digits + Enter is taken as a scan. Inside a text field
// (search, quantity, cash received) only a machine-fast burst is: at least MIN_LENGTH digits,
// MAX_AVERAGE_GAP ms apart on average, Enter right after. The digits the burst typed into the
// field are then taken back out. A human typing "20" + Enter is never mistaken for a scan, and
// one late key (the page was busy drawing) does not break a scanner's burst: the average counts.
import { isEditable } from "./dom.js";

const MIN_LENGTH = 6;
const MAX_AVERAGE_GAP = 50; // ms per character inside a text field
const MAX_GAP = 500; // a longer pause starts a new run of digits
const MAX_ENTER_GAP = 300; // Enter follows the last digit at once

export function installScanner(onScan) {
  let digits = [];
  let times = [];
  let field = null;
  let snapshot = null;

  function reset() {
    digits = [];
    times = [];
    field = null;
    snapshot = null;
  }

  function onKeyDown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      reset();
      return;
    }
    const now = event.timeStamp;
    const last = times[times.length - 1];
    if (/^[0-9]$/.test(event.key)) {
      const target = event.target;
      const editable = isEditable(target);
      if (digits.length && (now - last > MAX_GAP || target !== field)) reset();
      if (!digits.length) {
        field = target;
        snapshot = editable
          ? { value: target.value, start: target.selectionStart, end: target.selectionEnd }
          : null;
      }
      digits.push(event.key);
      times.push(now);
      return;
    }
    if (event.key === "Enter" && digits.length) {
      const code = digits.join("");
      const target = field;
      const restore = snapshot;
      const isScan = digits.length >= MIN_LENGTH && looksLikeScan(now, last, Boolean(restore));
      reset();
      if (!isScan) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (restore && target && "value" in target) {
        target.value = restore.value;
        try {
          target.setSelectionRange(restore.start, restore.end);
        } catch {
          // inputs of type number/email have no selection
        }
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }
      onScan(code, target);
      return;
    }
    if (event.key !== "Shift") reset();
  }

  function looksLikeScan(now, last, inField) {
    if (now - last > (inField ? MAX_ENTER_GAP : MAX_GAP)) return false;
    if (!inField) return true;
    const span = times[times.length - 1] - times[0];
    return span / (times.length - 1) <= MAX_AVERAGE_GAP;
  }

  // Capture phase: the scan is claimed before a focused button or form sees the Enter.
  window.addEventListener("keydown", onKeyDown, true);
  return () => window.removeEventListener("keydown", onKeyDown, true);
}
