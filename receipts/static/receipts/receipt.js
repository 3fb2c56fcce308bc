// Receipt page: the Print button, ?print=1 (the register opens the page that way), and an
// exact page length for thermal rolls so the printer does not feed a whole "page" of blank.
(function () {
  "use strict";
  var MM_PER_PX = 25.4 / 96;
  var fitted = null;

  function fitRollLength() {
    var root = document.documentElement;
    if (!/paper-(58|80)mm/.test(root.className)) return;
    var receipt = document.querySelector(".receipt");
    if (!receipt) return;
    var width = root.classList.contains("paper-58mm") ? 58 : 80;
    var height = Math.ceil(receipt.getBoundingClientRect().height * MM_PER_PX) + 4;
    // CSSOM, not an inline <style>: allowed under a strict Content Security Policy.
    var link = document.querySelector("link[data-paper]");
    var sheet = link && link.sheet;
    if (!sheet) return;
    if (fitted !== null) sheet.deleteRule(fitted);
    fitted = sheet.insertRule(
      "@page { size: " + width + "mm " + height + "mm; margin: 0; }",
      sheet.cssRules.length
    );
  }

  function print() {
    fitRollLength();
    window.print();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-action=print]");
    if (button) button.addEventListener("click", print);
    window.addEventListener("beforeprint", fitRollLength);
    if (document.body.hasAttribute("data-autoprint")) {
      window.setTimeout(print, 150);
    }
  });
})();
