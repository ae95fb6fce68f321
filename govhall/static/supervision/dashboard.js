/* 电子监察大屏: draws the charts from the figures embedded in the page
   (json_script "dashboard-data"). The tables beside each chart hold the same
   numbers, so the page reads without script. Clicking a bar opens the cases
   behind it (the drill-down list), as the numbers in the tables do. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  document.body.classList.add("js-charts");

  var LIGHTS = [
    ["normal", "正常", "#198754"],
    ["yellow", "黄灯", "#ffc107"],
    ["red", "红灯（今日到期）", "#dc3545"],
    ["overdue", "超期", "#212529"],
    ["paused", "暂停计时", "#adb5bd"]
  ];
  var charts = [];

  function drillUrl(measure, extra) {
    var params = new URLSearchParams(data.live_keep);
    params.set("measure", measure);
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return data.drill + "?" + params.toString();
  }

  function make(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  var narrow = window.matchMedia("(max-width: 575.98px)").matches;

  var departments = make("chart-departments");
  if (departments) {
    var names = data.departments.map(function (d) { return d.name; });
    // one bar per department: the chart grows with them
    departments.getDom().style.height = Math.max(240, 26 * names.length + 80) + "px";
    departments.resize();
    departments.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true,
               axisLabel: { width: narrow ? 72 : 140, overflow: "truncate" } },
      series: LIGHTS.map(function (light) {
        return {
          name: light[1], type: "bar", stack: "open", itemStyle: { color: light[2] }, barMaxWidth: 28,
          emphasis: { focus: "series" }, measure: light[0],
          data: data.departments.map(function (d) { return d[light[0]]; })
        };
      })
    });
    departments.on("click", function (p) {
      var d = data.departments[p.dataIndex];
      if (d && p.value) window.location.href = drillUrl(LIGHTS[p.seriesIndex][0], { department: d.id });
    });
  }

  var trend = make("chart-trend");
  if (trend) {
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", boundaryGap: false,
               data: data.trend.map(function (r) { return r.day.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "收件", type: "line", color: "#0d6efd", showSymbol: data.trend.length <= 31,
          data: data.trend.map(function (r) { return r.received; }) },
        { name: "办结", type: "line", color: "#198754", showSymbol: data.trend.length <= 31,
          data: data.trend.map(function (r) { return r.completed; }) },
        { name: "按时办结", type: "line", color: "#fd7e14", lineStyle: { type: "dashed" },
          showSymbol: data.trend.length <= 31, data: data.trend.map(function (r) { return r.on_time; }) }
      ]
    });
    trend.on("click", function (p) {
      var row = data.trend[p.dataIndex];
      if (!row || !p.value) return;
      var measure = p.seriesIndex === 0 ? "received" : (p.seriesIndex === 1 ? "completed" : "on_time");
      var params = new URLSearchParams(data.live_keep);
      params.set("measure", measure);
      params.set("start", row.day);
      params.set("end", row.day);
      window.location.href = data.drill + "?" + params.toString();
    });
  }

  var ranking = data.ranking.length ? make("chart-ranking") : null;
  if (ranking) {
    ranking.getDom().style.height = Math.max(160, 26 * data.ranking.length + 60) + "px";
    ranking.resize();
    ranking.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.ranking.map(function (r) { return r.name; }),
               axisLabel: { width: narrow ? 72 : 140, overflow: "truncate" } },
      series: [{ type: "bar", name: "按时办结率", itemStyle: { color: "#0d6efd" }, barMaxWidth: 24,
                 label: { show: true, position: "right", formatter: "{c}%" },
                 data: data.ranking.map(function (r) { return r.on_time_rate; }) }]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
