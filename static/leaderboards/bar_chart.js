// Draws every <canvas data-bar-chart="ID"> from the JSON in <script id="ID"> (Django's json_script):
// a list of {label, value, rank, group}; the "top" group in green, the "bottom" group in red.
(function () {
  "use strict";
  var COLOURS = { top: "#198754", bottom: "#dc3545" };
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.barChart);
    if (!source || typeof Chart === "undefined") return;
    var rows = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.rank + ". " + r.label; }),
        datasets: [{
          label: canvas.dataset.label || "",
          data: rows.map(function (r) { return r.value; }),
          backgroundColor: rows.map(function (r) { return COLOURS[r.group] || "#0d6efd"; })
        }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { min: 0, max: 100 }, y: { ticks: { autoSkip: false } } }
      }
    });
  }
  document.querySelectorAll("canvas[data-bar-chart]").forEach(draw);
})();
