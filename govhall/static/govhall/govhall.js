/* Page behaviours without inline script (the Content-Security-Policy allows no inline
   event handlers): mark an element and this file does the rest.
   data-autosubmit  on a <select>: submit its form on change
   data-confirm="…" on a button or link: ask first, stop unless confirmed
   data-print       print the page
   data-back        go back one page (the href stays as the fallback)
   table.table-cards  on a phone each row is a card: each cell gets its column heading
                    as data-label (govhall.css draws it)
   data-navigate-param="x" on a <select>: on change, reload the page with ?x=<value>
                    (so the server can draw the form for the chosen value) */
(function () {
  "use strict";
  function labelCells() {
    document.querySelectorAll("table.table-cards").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody > tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (heads[index] && !cell.hasAttribute("colspan") && !cell.dataset.label) {
            cell.dataset.label = heads[index];
          }
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelCells);
  } else {
    labelCells();
  }
  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (field && field.form) field.form.submit();
    var nav = event.target.closest ? event.target.closest("[data-navigate-param]") : null;
    if (nav && nav.value) {
      var query = new URLSearchParams(window.location.search);
      query.set(nav.dataset.navigateParam, nav.value);
      window.location.search = query.toString();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var ask = event.target.closest("[data-confirm]");
    if (ask && !window.confirm(ask.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    } else if (event.target.closest("[data-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
