/* Decision Paths: the approval matrix as people use it.
   - The filter box keeps the rows whose text has every word typed (decision, stages), and
     matches the column headers too (a role and the people who hold it): a matching column
     keeps every row with a cell in it, is marked, and is scrolled into view.
   - "Decisions of" one person keeps only that person's columns (the roles they hold, their
     own) and the rows with a cell in them, with a link to the person's page.
   Without JavaScript the whole table shows and these controls stay hidden. */
(function () {
  function wordsOf(value) {
    return value.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function hasAll(text, words) {
    text = text.toLowerCase();
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }

  function filled(cell) {
    return !!cell && cell.textContent.trim() !== "";
  }

  /* The box that scrolls the table sideways: Material's wrapper, or the table itself. */
  function scroller(table) {
    for (var node = table; node && node !== document.body; node = node.parentElement) {
      var overflow = getComputedStyle(node).overflowX;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollWidth > node.clientWidth) return node;
    }
    return null;
  }

  /* Scroll the column of `th` into view, clear of the sticky first column. */
  function reveal(table, th) {
    var box = scroller(table);
    if (!box) return;
    var first = table.querySelector("thead th");
    var frame = box.getBoundingClientRect();
    var cell = th.getBoundingClientRect();
    var left = frame.left + (first ? first.getBoundingClientRect().width : 0);
    if (cell.left < left) box.scrollLeft -= left - cell.left;
    else if (cell.right > frame.right) box.scrollLeft += Math.min(cell.right - frame.right, cell.left - left);
  }

  function setUp(tools) {
    if (tools.dataset.dpReady) return;
    var box = tools.querySelector("input[data-dp-filter]");
    var table = box && document.querySelector("." + box.getAttribute("data-dp-filter") + " table");
    if (!table) return;
    tools.dataset.dpReady = "1";
    tools.hidden = false;
    var pick = tools.querySelector("select[data-dp-person]");
    var personLink = null;
    if (pick) {
      personLink = document.createElement("a");
      personLink.className = "dp-person-link";
      personLink.hidden = true;
      pick.parentNode.insertBefore(personLink, pick.nextSibling);
    }
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));

    function apply() {
      var words = wordsOf(box.value);
      var option = pick && pick.value ? pick.options[pick.selectedIndex] : null;
      var only = option
        ? option.getAttribute("data-dp-columns").split(" ").map(function (n) { return Number(n) + 1; })
        : null;
      var off = function (i) { return only !== null && i > 0 && only.indexOf(i) === -1; };
      var hits = [];
      heads.forEach(function (th, i) {
        var hit = words.length > 0 && i > 0 && !off(i) && hasAll(th.textContent, words);
        if (hit) hits.push(i);
        th.classList.toggle("dp-off", off(i));
        th.classList.toggle("dp-hit", hit);
      });
      rows.forEach(function (row) {
        var cells = row.children;
        var text = "";
        for (var i = 0; i < cells.length; i++) if (!off(i)) text += " " + cells[i].textContent;
        var theirs = only === null || only.some(function (c) { return filled(cells[c]); });
        var byText = words.length === 0 || hasAll(text, words);
        var byColumn = hits.some(function (c) { return filled(cells[c]); });
        row.hidden = !(theirs && (byText || byColumn));
        for (var j = 1; j < cells.length; j++) {
          cells[j].classList.toggle("dp-off", off(j));
          cells[j].classList.toggle("dp-hit", hits.indexOf(j) !== -1);
        }
      });
      if (personLink) {
        personLink.hidden = !option;
        if (option) {
          personLink.href = option.getAttribute("data-dp-href");
          personLink.textContent = "\u2192 " + option.textContent;
        }
      }
      if (hits.length) reveal(table, heads[hits[0]]);
    }

    box.addEventListener("input", apply);
    if (pick) pick.addEventListener("change", apply);
    if (box.value || (pick && pick.value)) apply(); // the browser kept them on going back
  }

  function setUpAll() {
    document.querySelectorAll("[data-dp-tools]").forEach(setUp);
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUpAll);
  else document.addEventListener("DOMContentLoaded", setUpAll);
})();
