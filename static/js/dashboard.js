// Trend charts of the dashboard, drawn with the vendored ECharts from the numbers the page
// carries in <script id="trend-data" type="application/json">. The same numbers stay on the
// page as a table, so nothing is lost without JavaScript or when ECharts is missing.
(function () {
  "use strict";

  // The traffic-light colours of the page (Bootstrap's success, info, danger, warning, secondary).
  var COLOURS = {
    completed: "#198754",
    on_track: "#0dcaf0",
    lagging: "#dc3545",
    not_started: "#ffc107",
    not_submitted: "#adb5bd"
  };
  // Tooltips drawn on the canvas: ECharts' HTML tooltips are markup with style="" attributes
  // set through innerHTML, which the Content Security Policy (style-src 'self') refuses.
  var TOOLTIP_MODE = "richText";
  var charts = [];
  var pending = null; // the JSON of a response about to be swapped in

  function disposeAll() {
    charts.forEach(function (chart) { if (!chart.isDisposed()) chart.dispose(); });
    charts = [];
  }

  function makeChart(element) {
    // A history restore brings back a copy of an old chart's DOM: start from an empty box.
    var old = window.echarts.getInstanceByDom(element);
    if (old) old.dispose();
    element.removeAttribute("_echarts_instance_");
    element.innerHTML = "";
    element.hidden = false;
    element.style.height = "280px";
    element.style.width = "100%";
    var locale = document.documentElement.lang === "en" ? "EN" : "ZH";
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: locale });
    charts.push(chart);
    return chart;
  }

  function jsonIn(root) {
    var script = root.querySelector("#trend-data");
    return script ? script.textContent : null;
  }

  function render() {
    var results = document.getElementById("dashboard-results");
    var rates = document.getElementById("trend-rates");
    var mix = document.getElementById("trend-mix");
    if (!results || !rates || !mix || !window.echarts) return;
    // The page carries the numbers in <script id="trend-data">; htmx drops script elements
    // from swapped content (allowScriptTags is off), so a copy rides on the results element,
    // where htmx's history snapshot keeps it too.
    var text = jsonIn(document) || results.getAttribute("data-trend");
    if (!text) return;
    results.setAttribute("data-trend", text);
    disposeAll();
    var data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return;
    }
    var grid = { left: 40, right: 16, top: 68, bottom: 32, containLabel: true };

    makeChart(rates).setOption({
      title: { text: data.text.rates, textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: "axis",
        renderMode: TOOLTIP_MODE,
        valueFormatter: function (v) { return v == null ? "—" : v + "%"; }
      },
      legend: { top: 32 },
      grid: grid,
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: data.text.submitted, type: "line", data: data.submittedPct, itemStyle: { color: "#0d6efd" } },
        { name: data.text.onTime, type: "line", data: data.onTimePct, itemStyle: { color: "#198754" } }
      ]
    });

    makeChart(mix).setOption({
      title: { text: data.text.mix, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" } },
      legend: { top: 32, type: "scroll" },
      grid: grid,
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", minInterval: 1 },
      series: data.mix.map(function (light) {
        return {
          name: light.name,
          type: "bar",
          stack: "lights",
          data: light.values,
          itemStyle: { color: COLOURS[light.key] }
        };
      })
    });
  }

  function start() {
    render();
    // The filters swap #dashboard-results through htmx: draw again from the new numbers.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail.target;
      if (!target || target.id !== "dashboard-results") return;
      disposeAll();
      try {
        var doc = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
        pending = jsonIn(doc);
      } catch (e) {
        pending = null;
      }
    });
    document.body.addEventListener("htmx:afterSettle", function () {
      var results = document.getElementById("dashboard-results");
      if (pending !== null && results) results.setAttribute("data-trend", pending);
      pending = null;
      if (!charts.length) render();
    });
    document.body.addEventListener("htmx:historyRestore", function () {
      // The restored snapshot shows the filters as first rendered: match them to the URL.
      var form = document.getElementById("dashboard-filters");
      if (form) {
        var params = new URLSearchParams(window.location.search);
        Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
          select.value = params.get(select.name) || "";
          if (select.selectedIndex < 0) select.selectedIndex = 0;
        });
      }
      render();
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
