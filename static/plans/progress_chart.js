// Draws every <canvas data-plan-chart="ID"> from the JSON in <script id="ID"> (Django's json_script):
// {label, months, targets, actuals}: a plan's target and the unit's actual figure, month by month.
// A month with no figure (not yet, or no data) has no bar: a gap, never zero.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.planChart);
    if (!source || typeof Chart === "undefined") return;
    var series = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.months,
        datasets: [
          { label: canvas.dataset.targetLabel || "", data: series.targets, backgroundColor: "rgba(108,117,125,.35)", borderColor: "#6c757d", borderWidth: 1 },
          { label: canvas.dataset.actualLabel || "", data: series.actuals, backgroundColor: "#0d6efd" }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  document.querySelectorAll("canvas[data-plan-chart]").forEach(draw);
})();
