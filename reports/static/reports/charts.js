/* Draws one Chart.js chart per report table from the JSON in #report-data.
   Only shares the table shows are drawn (a hidden cell is a gap, never a
   number); the table beside each chart is the accessible version. */
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d", "#0dcaf0", "#ffc107", "#d63384", "#adb5bd", "#343a40"];
  function label(row) { return Array.isArray(row.label) ? row.label.join(" · ") : row.label; }
  data.tables.forEach(function (t) {
    var canvas = document.querySelector('canvas[data-table="' + t.key + '"]');
    if (!canvas) { return; }
    var rows = t.rows;
    var labels = rows.map(label);
    var datasets;
    var stacked = t.chart === "stacked" || t.key === "transitions" || !t.headline;
    if (stacked) {
      datasets = t.categories.map(function (c, i) {
        return {
          label: c.label,
          backgroundColor: palette[i % palette.length],
          data: rows.map(function (r) { var s = r.cells[i].share; return s === null ? null : Math.round(s * 1000) / 10; })
        };
      });
    } else {
      var h = t.categories.findIndex(function (c) { return c.key === t.headline; });
      datasets = [{
        label: t.categories[h].label,
        backgroundColor: palette[0],
        data: rows.map(function (r) { var s = r.cells[h].share; return s === null ? null : Math.round(s * 1000) / 10; })
      }];
    }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        scales: { x: { stacked: stacked, min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } }, y: { stacked: stacked } },
        plugins: { legend: { display: stacked, position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
  });
})();
