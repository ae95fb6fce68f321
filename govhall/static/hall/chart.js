/* 排队统计: draws each .hall-chart from its json_script (<id>-data): average waiting
   and service minutes as horizontal bars (ECharts, vendored). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  document.querySelectorAll(".hall-chart").forEach(function (el) {
    var node = document.getElementById(el.id + "-data");
    if (!node) return;
    var d = JSON.parse(node.textContent);
    el.style.height = Math.max(200, 60 + d.names.length * 34) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0, data: ["平均等候(分钟)", "平均办理(分钟)"]},
      grid: {left: 8, right: 40, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", min: 0},
      yAxis: {type: "category", data: d.names, inverse: true, axisLabel: {width: 110, overflow: "truncate"}},
      series: [
        {name: "平均等候(分钟)", type: "bar", data: d.wait, itemStyle: {color: "#d9822b"}, label: {show: true, position: "right"}},
        {name: "平均办理(分钟)", type: "bar", data: d.service, itemStyle: {color: "#2f6fb5"}, label: {show: true, position: "right"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
