// Filters the overview table by theme and owner. Without JavaScript the full table
// stays readable; the controls only appear when this script runs. Local file, no CDN.
(function () {
  "use strict";
  function setup() {
    var table = document.getElementById("dp-overzicht");
    var box = document.getElementById("dp-filters");
    if (!table || !box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    function options(attr, labelAttr) {
      var seen = {};
      rows.forEach(function (row) {
        seen[row.getAttribute(attr)] = row.getAttribute(labelAttr) || row.getAttribute(attr);
      });
      return Object.keys(seen).sort().map(function (key) { return [key, seen[key]]; });
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
      label.appendChild(sel);
      box.appendChild(label);
      return sel;
    }
    var theme = select("dp-filter-thema", "Thema:", options("data-theme", "data-theme"));
    var owner = select("dp-filter-eigenaar", "Eigenaar:", options("data-owner", "data-owner-name"));
    var status = select("dp-filter-status", "Globale status:", [
      ["fail", "probleem"], ["warn", "aandacht"], ["ok", "in orde"], ["unknown", "onbekend"]
    ]);
    function apply() {
      rows.forEach(function (row) {
        var show = (!theme.value || row.dataset.theme === theme.value) &&
          (!owner.value || row.dataset.owner === owner.value) &&
          (!status.value || row.dataset.overall === status.value);
        row.hidden = !show;
      });
    }
    [theme, owner, status].forEach(function (sel) { sel.addEventListener("change", apply); });
    box.hidden = false;
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
