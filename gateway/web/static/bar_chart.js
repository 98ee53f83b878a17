// Bar charts where numbers are compared (reviews by stars, customers per RFM segment), drawn by ECharts served by
// ShopLab. Each chart is an element with a data-bar-chart attribute holding its figures as JSON: title, labels,
// values, and optionally colors (one per bar) and horizontal (no inline script: the pages' CSP forbids it).
"use strict";

(() => {
  function draw(box) {
    if (!window.echarts || box.dataset.drawn === "true") return;
    let data;
    try {
      data = JSON.parse(box.dataset.barChart);
    } catch (error) {
      return;
    }
    const colors = data.colors || [];
    const bars = (data.values || []).map((value, i) => ({ value, itemStyle: { color: colors[i] || "#ff5000" } }));
    const categories = { type: "category", data: data.labels || [], axisLabel: { interval: 0, fontSize: 11 } };
    const values = { type: "value", minInterval: 1, min: 0 };
    const chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      title: { text: data.title || "", left: 12, top: 8, textStyle: { fontSize: 14 } },
      grid: data.horizontal ? { left: 110, right: 36, top: 44, bottom: 24 } : { left: 40, right: 16, top: 44, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: data.horizontal ? values : categories,
      yAxis: data.horizontal ? { ...categories, inverse: true } : values,
      series: [{ type: "bar", data: bars, barMaxWidth: 36, label: { show: true, position: data.horizontal ? "right" : "top" } }],
    });
    box.dataset.drawn = "true";
    window.addEventListener("resize", () => chart.resize());
  }

  function drawAll() {
    document.querySelectorAll("[data-bar-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", drawAll);
})();
