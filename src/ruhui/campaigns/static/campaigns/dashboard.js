/*
 * 入会 — the campaign dashboard's charts (Apache ECharts, vendored) and its print button.
 * The figures come computed from the server in <script type="application/json"
 * id="campaign-charts">; this file only draws them (no inline script under the CSP).
 * Charts render as SVG, so they print sharp; every chart also has a table beside it.
 */
(function () {
  "use strict";

  var BLUE = "#1a5cab", GREEN = "#1f7a3d", ORANGE = "#a15c00", GREY = "#86909c";
  var charts = [];

  function data() {
    var node = document.getElementById("campaign-charts");
    return node ? JSON.parse(node.textContent) : null;
  }

  function make(id) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) return null;
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  function monthLabel(key) {
    return Number(key.slice(5)) + "月";
  }

  function drawMonths(d) {
    var chart = make("chart-months");
    if (!chart) return;
    var series = [
      { name: "当月新发展", type: "bar", data: d.months.map(function (m) { return m.new; }), itemStyle: { color: BLUE } },
      { name: "累计", type: "line", data: d.months.map(function (m) { return m.running; }), itemStyle: { color: GREEN }, symbolSize: 6 }
    ];
    if (d.months.length && d.months[0].pace !== null) {
      series.push({
        name: "按时间进度应达", type: "line",
        data: d.months.map(function (m) { return m.pace; }),
        lineStyle: { type: "dashed" }, itemStyle: { color: ORANGE }, symbol: "none"
      });
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: d.months.map(function (m) { return monthLabel(m.month); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
  }

  function drawGroups(d) {
    var chart = make("chart-groups");
    if (!chart) return;
    var groups = d.groups.slice().reverse();
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 88, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: groups.map(function (g) { return g.name; }) },
      series: [{ name: "新发展会员", type: "bar", data: groups.map(function (g) { return g.new; }), itemStyle: { color: BLUE }, label: { show: true, position: "right" } }]
    });
  }

  function drawUnits(d) {
    var chart = make("chart-units");
    if (!chart || !d.units.length) return;
    var units = d.units.slice().reverse();
    function values(key) { return units.map(function (u) { return u[key]; }); }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { bottom: 0 },
      // containLabel keeps long unit names and the 时间进度 label inside the canvas.
      grid: { left: 8, right: 24, top: 28, bottom: 48, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: units.map(function (u) { return u.name; }) },
      series: [
        { name: "完成率", type: "bar", data: values("pct"), itemStyle: { color: BLUE },
          markLine: d.elapsed === null ? undefined : { symbol: "none", data: [{ xAxis: d.elapsed, name: "时间进度" }], lineStyle: { color: ORANGE, type: "dashed" }, label: { formatter: "时间进度 {c}%" } } },
        { name: "企业排查率", type: "bar", data: values("surveyed"), itemStyle: { color: GREY } },
        { name: "建会率", type: "bar", data: values("unionised"), itemStyle: { color: GREEN } }
      ]
    });
  }

  function drawAssisted(d) {
    document.querySelectorAll("[data-assisted]").forEach(function (node) {
      var group = d.assisted[Number(node.getAttribute("data-assisted"))];
      var chart = make(node.id);
      if (!chart || !group) return;
      chart.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 12, top: 12, bottom: 28 },
        xAxis: { type: "category", data: group.labels.map(monthLabel) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: group.name, type: "bar", data: group.months, itemStyle: { color: BLUE } }]
      });
    });
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data();
    if (d) {
      drawMonths(d);
      drawGroups(d);
      drawUnits(d);
      drawAssisted(d);
      window.addEventListener("resize", resizeAll);
      window.addEventListener("beforeprint", resizeAll);
      window.addEventListener("afterprint", resizeAll);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
