// Draws each report chart from the JSON the page embeds (<script type="application/json">).
// No inline script: this file and the vendored Chart.js are all the page runs.
(function () {
  "use strict";

  var PALETTE = ["#007d7e", "#2e1f5e", "#e9b04d", "#cd4444", "#5c8a2f", "#8a4fa8", "#3a6ea5",
    "#b5651d", "#6b6b6b", "#00a3a4", "#d9730d", "#4d4d8f"];

  function moneyFormatter(currency) {
    if (!currency) {
      return function (value) { return Number(value).toLocaleString(); };
    }
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      style: "currency", currency: currency
    });
    return function (value) { return format.format(value); };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var format = moneyFormatter(data.currency);
    var doughnut = data.kind === "doughnut";
    var datasets = data.series.map(function (series, index) {
      return {
        label: series.label,
        // Amounts travel as strings; Chart.js needs numbers only to place the bars.
        data: series.values.map(Number),
        backgroundColor: doughnut ? PALETTE : PALETTE[index % PALETTE.length],
        borderColor: doughnut ? "#fff" : PALETTE[index % PALETTE.length],
        borderWidth: doughnut ? 2 : 1,
        tension: 0.2
      };
    });
    new window.Chart(canvas, {
      type: data.kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: doughnut, position: "right" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = doughnut ? context.parsed : context.parsed.y;
                return " " + format(value);
              }
            }
          }
        },
        scales: doughnut ? {} : {
          y: { beginAtZero: true, ticks: { callback: function (value) { return format(value); } } },
          x: { ticks: { autoSkip: true, maxRotation: 45 } }
        }
      }
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
