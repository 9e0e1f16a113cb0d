// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID"> (Django's json_script).
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var series = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: series.map(function (p) { return p.day; }),
        datasets: [{
          label: canvas.dataset.label || "",
          data: series.map(function (p) { return p.followers; }),
          borderColor: "#0d6efd",
          backgroundColor: "rgba(13,110,253,.08)",
          fill: true,
          spanGaps: false,  // a gap in polling stays a gap
          pointRadius: 0,
          tension: 0.2
        }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { ticks: { precision: 0 } } }
      }
    });
  }
  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
