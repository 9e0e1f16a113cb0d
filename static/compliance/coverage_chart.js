// Draws every <canvas data-coverage-chart="ID"> from the JSON in <script id="ID"> (Django's json_script):
// {days, labels, covered, total, deadline}: the units that had the account by the end of each day,
// as a step line against the number of units, with a dashed vertical line on the deadline.
(function () {
  "use strict";
  var deadlineLine = {
    id: "deadlineLine",
    afterDatasetsDraw: function (chart, _args, options) {
      if (options.index === undefined || options.index < 0) return;
      var x = chart.scales.x.getPixelForValue(options.index);
      var area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#dc3545";
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      if (options.label) {
        ctx.setLineDash([]);
        ctx.fillStyle = "#dc3545";
        ctx.font = "12px sans-serif";
        ctx.textAlign = x > area.right - 80 ? "right" : "left";
        ctx.fillText(options.label, x + (ctx.textAlign === "right" ? -4 : 4), area.top + 12);
      }
      ctx.restore();
    }
  };
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.coverageChart);
    if (!source || typeof Chart === "undefined") return;
    var series = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: series.labels,
        datasets: [
          { label: canvas.dataset.coveredLabel || "", data: series.covered, stepped: "before", borderColor: "#0d6efd", backgroundColor: "rgba(13,110,253,.15)", fill: true, pointRadius: 2 },
          { label: canvas.dataset.totalLabel || "", data: series.total, borderColor: "#6c757d", borderDash: [4, 4], pointRadius: 0, fill: false }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          deadlineLine: { index: series.days.indexOf(series.deadline), label: canvas.dataset.deadlineLabel || "" }
        },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      },
      plugins: [deadlineLine]
    });
  }
  document.querySelectorAll("canvas[data-coverage-chart]").forEach(draw);
})();
