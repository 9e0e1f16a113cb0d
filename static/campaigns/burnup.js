// Draws every <canvas data-burnup="ID"> from the JSON in <script id="ID"> (Django's json_script):
// {days, achieved, expected}: what the units achieved by the end of each day against the pro-rata line.
// A day without a snapshot is null and stays a gap (spanGaps false), never filled in.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.burnup);
    if (!source || typeof Chart === "undefined") return;
    var series = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: series.days,
        datasets: [
          { label: canvas.dataset.expectedLabel || "", data: series.expected, borderColor: "#6c757d", borderDash: [6, 4], pointRadius: 0, fill: false, spanGaps: false },
          { label: canvas.dataset.achievedLabel || "", data: series.achieved, borderColor: "#0d6efd", backgroundColor: "rgba(13,110,253,.1)", pointRadius: 2, fill: false, spanGaps: false }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { x: { ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  document.querySelectorAll("canvas[data-burnup]").forEach(draw);
})();
