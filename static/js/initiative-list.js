/* The initiative list's filters sit in a <details> so that on a phone they fold away
   behind one line. On a wide screen there is room: open them. Without this script they
   start folded everywhere and open with a click; the active filters show as chips anyway. */
(function () {
  "use strict";

  var WIDE = "(min-width: 48rem)";

  function start() {
    if (!window.matchMedia(WIDE).matches) return;
    var panels = document.querySelectorAll("details[data-open-wide]");
    for (var i = 0; i < panels.length; i++) panels[i].open = true;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
