/* Decision Paths: open a decision's diagram full size, to pan and zoom it.
 * The page shows each diagram at its natural size (a wide one scrolls in its box).
 * Its button, or a click on the diagram outside its links, opens a dialog with a
 * copy of the diagram at the same size, moved by dragging and zoomed by pinching,
 * the wheel, the + and - buttons or keys (Panzoom, vendored in panzoom.min.js);
 * the arrow keys move it, 0 shows it at its natural size again, Escape closes.
 * The labels come from the button's data attributes, in the page's language. */
(function () {
  "use strict";
  var MOVED = 6; /* px: a press that moved further was a drag, not a click on a link */
  var STEP = 60; /* px the arrow keys move the diagram */

  function element(tag, className) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    return made;
  }

  function control(text, label, className) {
    var button = element("button", className || "dp-diagram-control");
    button.type = "button";
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.title = label;
    return button;
  }

  function pageTitle() {
    var heading = document.querySelector("article h1, h1");
    if (!heading) return "";
    var copy = heading.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach(function (link) { link.remove(); });
    return copy.textContent.trim();
  }

  function Viewer(box, button, svg) {
    var labels = button.dataset;
    var dialog = element("dialog", "dp-diagram-dialog");
    var bar = element("div", "dp-diagram-bar");
    var title = element("h2", "dp-diagram-title");
    title.id = "dp-diagram-title-" + (svg.querySelector("g.graph") || { id: "diagram" }).id;
    title.textContent = pageTitle() || button.getAttribute("aria-label");
    dialog.setAttribute("aria-labelledby", title.id);
    var zoomOut = control("\u2212", labels.dpZoomOut);
    var zoomIn = control("+", labels.dpZoomIn);
    var reset = control("1:1", labels.dpZoomReset);
    var close = control("\u00d7", labels.dpClose, "dp-diagram-control dp-diagram-close");
    bar.append(title, zoomOut, zoomIn, reset, close);
    var hint = element("p", "dp-diagram-hint");
    hint.id = title.id + "-hint";
    hint.textContent = labels.dpHint;
    var stage = element("div", "dp-diagram-stage");
    stage.tabIndex = 0;
    stage.setAttribute("role", "group");
    stage.setAttribute("aria-label", title.textContent);
    stage.setAttribute("aria-describedby", hint.id);
    var moving = element("div", "dp-diagram-pan");
    var copy = svg.cloneNode(true);
    /* the page keeps the ids; the copy's links and tooltips need none */
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach(function (node) { node.removeAttribute("id"); });
    moving.appendChild(copy);
    stage.appendChild(moving);
    dialog.append(bar, hint, stage);
    box.appendChild(dialog);

    var panzoom = window.Panzoom(moving, {
      canvas: true, /* drag anywhere in the stage */
      minScale: 0.15,
      maxScale: 6,
      step: 0.3,
      cursor: "grab",
    });
    stage.addEventListener("wheel", panzoom.zoomWithWheel);
    zoomIn.addEventListener("click", function () { panzoom.zoomIn(); });
    zoomOut.addEventListener("click", function () { panzoom.zoomOut(); });
    reset.addEventListener("click", function () { panzoom.reset(); });
    close.addEventListener("click", function () { dialog.close(); });

    var pressed = null;
    stage.addEventListener("pointerdown", function (event) {
      pressed = { x: event.clientX, y: event.clientY };
    }, true);
    stage.addEventListener("click", function (event) {
      var dragged = pressed && Math.hypot(event.clientX - pressed.x, event.clientY - pressed.y) > MOVED;
      pressed = null;
      var link = event.target.closest && event.target.closest("a");
      if (!link) return;
      if (dragged) {
        event.preventDefault(); /* the end of a drag is not a click on what it ends over */
        return;
      }
      dialog.close(); /* a link to a stage row or a role page: follow it, on the page */
    }, true);

    dialog.addEventListener("keydown", function (event) {
      var scale = panzoom.getScale();
      var keys = {
        "+": function () { panzoom.zoomIn(); },
        "=": function () { panzoom.zoomIn(); },
        "-": function () { panzoom.zoomOut(); },
        "0": function () { panzoom.reset(); },
        ArrowLeft: function () { panzoom.pan(STEP / scale, 0, { relative: true }); },
        ArrowRight: function () { panzoom.pan(-STEP / scale, 0, { relative: true }); },
        ArrowUp: function () { panzoom.pan(0, STEP / scale, { relative: true }); },
        ArrowDown: function () { panzoom.pan(0, -STEP / scale, { relative: true }); },
      };
      var act = keys[event.key];
      if (act && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        act();
      }
    });
    dialog.addEventListener("close", function () {
      document.documentElement.classList.remove("dp-diagram-open");
      button.focus({ preventScroll: true });
    });

    this.open = function () {
      document.documentElement.classList.add("dp-diagram-open");
      dialog.showModal();
      panzoom.reset({ animate: false }); /* natural size, its top in view */
      stage.focus({ preventScroll: true, focusVisible: false });
    };
  }

  function setUp() {
    if (typeof window.Panzoom !== "function" || typeof HTMLDialogElement !== "function") return;
    document.querySelectorAll(".dp-diagram").forEach(function (box) {
      var button = box.querySelector(".dp-diagram-enlarge");
      var scroll = box.querySelector(".dp-diagram-scroll");
      var svg = scroll && scroll.querySelector("svg");
      if (!button || !svg || box.dataset.dpReady) return;
      box.dataset.dpReady = "1";
      var viewer = null;
      function open() {
        viewer = viewer || new Viewer(box, button, svg);
        viewer.open();
      }
      button.hidden = false;
      /* a diagram wider than its box shows its middle first, where the path starts */
      scroll.scrollLeft = Math.max(0, (scroll.scrollWidth - scroll.clientWidth) / 2);
      button.addEventListener("click", open);
      scroll.classList.add("dp-diagram-opens");
      scroll.addEventListener("click", function (event) {
        if (event.target.closest && event.target.closest("a")) return; /* links keep working */
        open();
      });
    });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUp);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
