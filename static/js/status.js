/* Status page auto-refresh: every 60 s, re-read summary.json and update the banner and component pills in place. */
(function () {
  "use strict";
  var root = document.querySelector(".status-page[data-refresh]");
  if (!root || !window.fetch) {
    return;
  }
  var labels = {
    operational: "Operational",
    degraded_performance: "Degraded performance",
    partial_outage: "Partial outage",
    major_outage: "Major outage",
    under_maintenance: "Under maintenance"
  };
  var url = root.getAttribute("data-refresh");
  var shown = {
    indicator: null,
    description: document.getElementById("status-description").textContent
  };

  function setPill(pill, status) {
    if (!pill || !labels[status] || pill.getAttribute("data-status") === status) {
      return false;
    }
    pill.className = "pill s-" + status;
    pill.setAttribute("data-status", status);
    pill.textContent = labels[status];
    return true;
  }

  function apply(data) {
    var changed = false;
    var banner = root.querySelector(".banner");
    if (data.status && data.status.description !== shown.description) {
      document.getElementById("status-description").textContent = data.status.description;
      banner.className = "banner i-" + data.status.indicator;
      shown.description = data.status.description;
      changed = true;
    }
    (data.components || []).forEach(function (c) {
      var li = root.querySelector('[data-component-id="' + c.id + '"]');
      if (li && setPill(li.querySelector(".pill"), c.status)) {
        changed = true;
      }
    });
    var t = document.getElementById("status-updated");
    if (t) {
      var now = new Date();
      t.setAttribute("datetime", now.toISOString());
      t.textContent = now.toLocaleString();
    }
    /* A new incident or maintenance needs the full page: reload it quietly. */
    var open = (data.incidents || []).length + (data.scheduled_maintenances || []).length;
    var had = root.querySelectorAll(".incident").length;
    if (open !== had && !document.hidden) {
      window.location.reload();
    }
    return changed;
  }

  function tick() {
    if (document.hidden) {
      return;
    }
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { apply(d); } })
      .catch(function () { /* keep what is shown; try again later */ });
  }

  window.setInterval(tick, 60000);
  document.addEventListener("visibilitychange", tick);
})();
