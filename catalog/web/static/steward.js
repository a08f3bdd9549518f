// The steward's job page: follow a running harvest without reloading by hand.
// Progressive enhancement: without this script the page refreshes itself (meta refresh in <noscript>).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var text = document.getElementById("progress-text");
  var status = document.getElementById("job-status");

  function show(body) {
    var counts = body.counts || {};
    Object.keys(counts).forEach(function (key) {
      var item = document.querySelector('#job-counts [data-action="' + key + '"] .n');
      if (item) { item.textContent = String(counts[key]); }
    });
    if (!body.running) {
      if (text) { text.textContent = box.getAttribute("data-ended-text") || ""; }
      window.location.reload();
      return false;
    }
    return true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          window.location.reload();  // signed out or refused: the page itself says why
          return null;
        }
        return response.json();
      })
      .then(function (body) {
        if (body === null) { return; }
        if (status && body.status) { status.setAttribute("data-status", body.status); }
        if (show(body)) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  window.setTimeout(poll, 500);
})();
