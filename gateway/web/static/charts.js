// My metrics' charts, drawn by ECharts served by ShopLab (vendor/echarts-*.js): the first-response time
// distribution and the daily trend. The figures come from the page's data-charts attribute (no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-charts]");
  if (!box || !window.echarts) return;
  const data = JSON.parse(box.dataset.charts);
  const label = (name) => box.dataset[`label${name}`] || name;
  const charts = [];

  // the service's buckets, in the order of the time they stand for (JSON objects do not keep it)
  const order = data.bucket_order || Object.keys(data.buckets || {});
  const buckets = order.filter((name) => name in (data.buckets || {})).map((name) => [name, data.buckets[name]]);
  const bucketChart = echarts.init(document.getElementById("chart-buckets"), null, { renderer: "svg" });
  bucketChart.setOption({
    animation: false,
    title: { text: label("Buckets"), left: 12, top: 8, textStyle: { fontSize: 14 } },
    grid: { left: 48, right: 16, top: 56, bottom: 56 },
    tooltip: { trigger: "axis" },
    xAxis: {
      type: "category",
      data: buckets.map(([name]) => (data.bucket_labels || {})[name] || name),
      axisLabel: { interval: 0, rotate: 30, fontSize: 11 },
    },
    yAxis: { type: "value", minInterval: 1, name: label("Count") },
    series: [{ type: "bar", data: buckets.map(([, count]) => count), itemStyle: { color: "#ff5000" } }],
  });
  charts.push(bucketChart);

  const days = data.daily || [];
  const dailyChart = echarts.init(document.getElementById("chart-daily"), null, { renderer: "svg" });
  dailyChart.setOption({
    animation: false,
    title: { text: label("Daily"), left: 12, top: 8, textStyle: { fontSize: 14 } },
    grid: { left: 56, right: 56, top: 72, bottom: 40 },
    tooltip: { trigger: "axis" },
    legend: { top: 8, right: 12, data: [label("Mean"), label("Handled")] },
    xAxis: { type: "category", data: days.map((day) => day.date.slice(5)) },
    yAxis: [
      { type: "value", min: 0 },
      { type: "value", minInterval: 1, min: 0 },
    ],
    series: [
      { name: label("Mean"), type: "line", data: days.map((day) => day.first_response_mean), connectNulls: false, itemStyle: { color: "#ff5000" } },
      { name: label("Handled"), type: "bar", yAxisIndex: 1, data: days.map((day) => day.handled), itemStyle: { color: "#8fb4ff" } },
    ],
  });
  charts.push(dailyChart);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  box.dataset.drawn = "true";
});
