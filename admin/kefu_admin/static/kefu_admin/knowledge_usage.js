// 知识使用统计: draws the page's two charts from the JSON the server rendered (no data via innerHTML).
(function () {
  "use strict";
  var node = document.getElementById("kefu-usage-data");
  if (!node || !window.Plotly) { return; }
  var data = JSON.parse(node.textContent);
  var config = { responsive: true, displaylogo: false };
  var layout = function (title, extra) {
    var base = {
      title: { text: title }, barmode: "stack", margin: { t: 40, r: 60, b: 40, l: 50 },
      legend: { orientation: "h" }, xaxis: { type: "date", tickformat: "%m-%d" },
      // Counts are whole numbers: below ten, one tick per unit instead of 0.5 steps.
      yaxis: { rangemode: "tozero", dtick: maxStack(extra && extra.series) < 10 ? 1 : undefined }
    };
    var rest = Object.assign({}, extra || {});
    delete rest.series;
    return Object.assign(base, rest);
  };
  var maxStack = function (series) {
    var names = Object.keys(series || {}), top = 0;
    data.days.forEach(function (day, i) {
      top = Math.max(top, names.reduce(function (sum, name) { return sum + series[name][i]; }, 0));
    });
    return top;
  };
  var bars = function (series) {
    return Object.keys(series).map(function (name) {
      return { type: "bar", name: name, x: data.days, y: series[name] };
    });
  };
  var searches = bars(data.per_source);
  searches.push({
    type: "scatter", mode: "lines+markers", name: data.hit_rate_label, x: data.days,
    y: data.hit_rate, yaxis: "y2", connectgaps: false
  });
  window.Plotly.newPlot("chart-searches", searches, layout(data.searches_title, {
    series: data.per_source,
    yaxis2: { overlaying: "y", side: "right", range: [0, 1], dtick: 0.25, tickformat: ".0%" }
  }), config);
  window.Plotly.newPlot("chart-robot", bars(data.robot), layout(data.robot_title, { series: data.robot }),
    config);
})();
