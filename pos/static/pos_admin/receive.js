// "Add a row" on the Receive stock form: clones the formset's empty row and bumps the count.
// Without JavaScript the form still works with its five rows.
(() => {
  const table = document.querySelector("[data-pos-rows]");
  const template = document.querySelector("[data-pos-row-template]");
  const button = document.querySelector("[data-pos-add-row]");
  const total = document.querySelector("input[name$='-TOTAL_FORMS']");
  const max = document.querySelector("input[name$='-MAX_NUM_FORMS']");
  if (!table || !template || !button || !total) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    table.querySelector("tbody").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const select = table.querySelector("tbody tr:last-child select");
    if (select) select.focus();
  });
})();
