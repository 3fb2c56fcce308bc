// The report page's "Print" button (kept out of the HTML: no inline scripts under the CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
