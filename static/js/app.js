// Small behaviours on top of htmx; every page works without this file.
(function () {
  "use strict";

  // A save answers with an HX-Trigger event carrying {"message": "..."}: show it as a toast.
  function showToast(message) {
    var container = document.getElementById("toasts");
    if (!container || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast align-items-center text-bg-success border-0 show";
    toast.setAttribute("role", "status");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message; // text, never HTML
    toast.appendChild(body);
    container.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 4000);
  }

  ["reportSaved", "measureSaved", "evidenceSaved", "officeSaved"].forEach(function (name) {
    document.body.addEventListener(name, function (event) {
      showToast(event.detail && event.detail.message);
    });
  });

  // A request that fails outright (server down, 500) must not look like a silent success.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    var container = document.getElementById("toasts");
    if (!container) return;
    var toast = document.createElement("div");
    toast.className = "toast text-bg-danger border-0 show";
    toast.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = (document.documentElement.lang === "en"
      ? "The server could not complete the request (" + status + "). Nothing was saved; please try again."
      : "服务器未能完成请求（" + status + "），未保存任何内容，请重试。");
    toast.appendChild(body);
    container.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  });
  document.body.addEventListener("htmx:sendError", function () {
    document.body.dispatchEvent(new CustomEvent("htmx:responseError", { detail: {} }));
  });
})();
