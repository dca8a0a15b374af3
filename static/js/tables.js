// A table wider than the screen scrolls inside its own box (portal.css, phone width). Such a
// box must be reachable from the keyboard to be scrolled (WCAG 2.1.1), so it gets a tab stop
// while, and only while, it actually overflows; the width changes when a phone turns.
(function () {
  "use strict";
  function markScrollingTables() {
    document.querySelectorAll("table.table, table.bars").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.tabIndex = 0;
      } else {
        table.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrollingTables);
  window.addEventListener("resize", markScrollingTables);
})();
