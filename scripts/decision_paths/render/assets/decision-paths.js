/* Decision Paths: filter the rows of the approval matrix as people type. */
(function () {
  function setUp() {
    document.querySelectorAll("input[data-dp-filter]").forEach(function (box) {
      var target = document.querySelector("." + box.getAttribute("data-dp-filter") + " table");
      if (!target || box.dataset.dpReady) return;
      box.dataset.dpReady = "1";
      box.addEventListener("input", function () {
        var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
        target.querySelectorAll("tbody tr").forEach(function (row) {
          var text = row.textContent.toLowerCase();
          row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
        });
      });
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUp);
  else document.addEventListener("DOMContentLoaded", setUp);
})();
