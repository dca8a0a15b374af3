// "Copy" buttons: <button data-copy="ID"> copies the text of the element with that id (a new
// API token, shown once) and says "Copied" on the button and to screen readers.
(function () {
  "use strict";
  function say(button, words) {
    button.textContent = words;
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (status) status.textContent = words === "Copied" ? "The token is copied." : "";
  }
  function copyFrom(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = source.textContent.trim();
    var done = function () { say(button, "Copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
    } else {
      selectText(source);
      // Without the asynchronous clipboard (a plain-HTTP address), the selection is copied.
      if (document.execCommand && document.execCommand("copy")) done();
    }
  }
  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) copyFrom(button);
  });
})();
