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
// Parts of a page marked data-refresh are fetched again now and then and
// replaced in place (the page itself shows the same when reloaded).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-refresh][id]").forEach(function (part) {
    setInterval(function () {
      fetch(part.getAttribute("data-refresh"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(part.id);
          if (fresh) { part.innerHTML = fresh.innerHTML; }
        })
        .catch(function () {});
    }, 15000);
  });
});
