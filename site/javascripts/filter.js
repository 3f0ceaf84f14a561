// Filters and sorts the overview worklist; the choices live in the URL (?thema=water&
// oordeel=fail&sorteer=title), so a filtered list can be shared. Without JavaScript the
// full list stays readable, worst first; the controls only appear when this script runs.
// Local file, no CDN.
(function () {
  "use strict";
  var KEYS = { "dp-filter-thema": "thema", "dp-filter-eigenaar": "eigenaar", "dp-filter-oordeel": "oordeel" };
  var SORTS = {
    rank: function (row) { return Number(row.dataset.rank); },
    title: function (row) { return (row.dataset.title || "").toLowerCase(); },
    owner: function (row) { return (row.dataset.ownerName || "").toLowerCase(); },
    checked: function (row) { return row.dataset.checked || ""; }
  };
  function setup() {
    var table = document.getElementById("dp-overzicht");
    var box = document.getElementById("dp-filters");
    if (!table || !box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var params = new URLSearchParams(window.location.search);
    function options(attr, labelAttr) {
      var seen = {};
      rows.forEach(function (row) {
        seen[row.getAttribute(attr)] = row.getAttribute(labelAttr) || row.getAttribute(attr);
      });
      return Object.keys(seen).sort().map(function (key) { return [key, seen[key]]; });
    }
    function verdicts() {
      // The verdicts in their order and words as the render wrote them in the counts
      // above the list (from datapedia/model), not restated here.
      var counts = document.querySelectorAll(".dp-counts [data-count-verdict]");
      return Array.prototype.map.call(counts, function (span) {
        var label = span.querySelector("[data-verdict]");
        return [span.dataset.countVerdict, label ? label.textContent : span.dataset.countVerdict];
      });
    }
    function select(id, text, choices) {
      var label = document.createElement("label");
      label.textContent = text + " ";
      var sel = document.createElement("select");
      sel.id = id;
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "alle";
      sel.appendChild(all);
      choices.forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];  // textContent: owner names are never parsed as HTML
        sel.appendChild(option);
      });
      sel.value = params.get(KEYS[id]) || "";
      label.appendChild(sel);
      box.appendChild(label);
      return sel;
    }
    var theme = select("dp-filter-thema", "Thema:", options("data-theme", "data-theme"));
    var owner = select("dp-filter-eigenaar", "Eigenaar:", options("data-owner", "data-owner-name"));
    var verdict = select("dp-filter-oordeel", "Oordeel:", verdicts());
    var sortKey = SORTS[params.get("sorteer")] ? params.get("sorteer") : "rank";
    function remember() {
      var next = new URLSearchParams(window.location.search);
      [theme, owner, verdict].forEach(function (sel) {
        if (sel.value) next.set(KEYS[sel.id], sel.value); else next.delete(KEYS[sel.id]);
      });
      if (sortKey !== "rank") next.set("sorteer", sortKey); else next.delete("sorteer");
      var query = next.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
    function apply() {
      rows.forEach(function (row) {
        row.hidden = !((!theme.value || row.dataset.theme === theme.value) &&
          (!owner.value || row.dataset.owner === owner.value) &&
          (!verdict.value || row.dataset.verdict === verdict.value));
      });
    }
    function sort() {
      var key = SORTS[sortKey];
      var sorted = rows.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = x < y ? -1 : x > y ? 1 : 0;
        // Newest check first; ties keep the worklist's order.
        if (sortKey === "checked") order = -order;
        return order || SORTS.rank(a) - SORTS.rank(b);
      });
      sorted.forEach(function (row) { body.appendChild(row); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        if (th.dataset.sort) th.setAttribute("aria-sort", th.dataset.sort === sortKey ? "ascending" : "none");
      });
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (!th.dataset.sort) return;
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "Sorteer op " + th.textContent.toLowerCase();
      button.addEventListener("click", function () { sortKey = th.dataset.sort; sort(); remember(); });
      th.textContent = "";
      th.appendChild(button);
    });
    [theme, owner, verdict].forEach(function (sel) {
      sel.addEventListener("change", function () { apply(); remember(); });
    });
    apply();
    sort();
    box.hidden = false;
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
