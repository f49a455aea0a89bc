// Small enhancements for Trellis pages; every page works without them.
// "Copy" buttons copy the text of the element their data-copy names.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) { return; }
  var text = source.value !== undefined ? source.value : source.textContent;
  navigator.clipboard.writeText(text.trim()).then(function () {
    var done = button.getAttribute("data-copied");
    if (done) { button.textContent = done; }
  });
});
// Copy buttons are shown only where they can work.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy][hidden]").forEach(function (b) { b.hidden = false; });
});
