// Optional enhancement; the page works without it. Highlights a note and its passage
// together, and lets Enter and Escape open and close a note on narrow screens.
(function () {
  "use strict";
  function parts(id) {
    return Array.prototype.slice.call(document.querySelectorAll('mark[data-note="' + id + '"]'))
      .concat([document.getElementById(id)]).filter(Boolean);
  }
  function mark(id, on, cls) {
    parts(id).forEach(function (el) { el.classList.toggle(cls, on); });
  }
  function noteOf(el) {
    var owner = el.closest("[data-note], .sidenote, .marker-link, .toggle, .marker-toggle");
    if (!owner) return null;
    if (owner.dataset.note) return owner.dataset.note;
    if (owner.classList.contains("sidenote")) return owner.id;
    if (owner.classList.contains("marker-link")) return owner.getAttribute("href").slice(1);
    return owner.getAttribute(owner.tagName === "LABEL" ? "for" : "id").replace(/^toggle-/, "");
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (e) { var id = noteOf(e.target); if (id) mark(id, true, "is-active"); });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (e) { var id = noteOf(e.target); if (id) mark(id, false, "is-active"); });
  });
  function showTarget() {
    document.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (id && document.getElementById(id)) {
      mark(id, true, "is-target");
      var toggle = document.getElementById("toggle-" + id);
      if (toggle) toggle.checked = true;
    }
  }
  window.addEventListener("hashchange", showTarget);
  showTarget();
  // Wide screens: a note shows whole when it ends before the next note's passage, else as many lines as fit
  // there (never fewer than MIN_LINES), so that each note stays level with its passage however dense the
  // margin. Without this script every note shows the stylesheet's --note-lines.
  var MIN_LINES = 3;
  var wide = window.matchMedia("screen and (width > 62rem)");
  function fitNotes() {
    var notes = Array.prototype.slice.call(document.querySelectorAll(".sidenote"));
    var root = document.documentElement;
    notes.forEach(function (note) { note.style.removeProperty("--note-lines"); });
    if (wide.matches && notes.length) fit(notes, root);
    root.setAttribute("data-notes-fitted", String(innerWidth));  // for whoever waits on a layout: tests
  }
  function fit(notes, root) {
    // Measured in one pass with every note at zero height, so that no note pushes another: each one's top is
    // then the top of its passage's line, and its scroll height the height it takes whole.
    root.classList.add("measuring-notes");
    var tops = notes.map(function (note) { return note.getBoundingClientRect().top; });
    var heights = notes.map(function (note) { return note.scrollHeight; });
    root.classList.remove("measuring-notes");
    var style = getComputedStyle(notes[0]);
    var line = parseFloat(style.lineHeight), gap = parseFloat(style.marginBottom);
    var whole = heights.map(function (height) { return Math.ceil(height / line); });
    var lines = plan(tops, heights, line, gap);
    for (var pass = 0; lines && pass < 12; pass++) {  // each pass lays the page out once; a few suffice
      apply(notes, lines, whole);
      lines = mend(notes, lines, whole, tops, line, gap);
    }
  }
  // Lines to show of each note (0: whole), from where each would start and how tall it is.
  function plan(tops, heights, line, gap) {
    var bottom = -Infinity;
    return tops.map(function (natural, i) {
      var top = Math.max(natural, bottom + gap);
      var room = (i + 1 < tops.length ? tops[i + 1] : Infinity) - gap - top;
      var lines = heights[i] <= room ? 0 : Math.max(MIN_LINES, Math.floor(room / line));
      bottom = top + (lines ? Math.min(heights[i], lines * line) : heights[i]);
      return lines;
    });
  }
  function apply(notes, lines, whole) {
    notes.forEach(function (note, i) {
      note.style.setProperty("--note-lines", lines[i] && lines[i] < whole[i] ? String(lines[i]) : "none");
    });
  }
  // A browser sets a float that is pushed only part of the way down its line on the next line instead, up to a
  // line of text below the note above. Where that happened, the note above is cut to end before this note's
  // line (down to one line), or else made to reach past it, so that this note is level with its passage or snug
  // below the note above.
  function mend(notes, lines, whole, tops, line, gap) {
    var boxes = notes.map(function (note) { return note.getBoundingClientRect(); });
    var mended = lines.slice(), changed = false;
    for (var i = 1; i < notes.length; i++) {
      var above = boxes[i - 1], expected = Math.max(tops[i], above.bottom + gap);
      if (boxes[i].top - expected <= 1) continue;
      var shown = mended[i - 1] || whole[i - 1];
      var shorter = shown - Math.ceil((above.bottom + gap - tops[i]) / line);
      var longer = shown + Math.ceil((boxes[i].top - above.bottom) / line);
      mended[i - 1] = shorter >= 1 ? shorter : Math.min(longer, whole[i - 1]);
      changed = true;
    }
    return changed ? mended : null;
  }
  // Fitting lays the page out a few times: on a long article that is a matter of a second. So it runs once
  // the window has stopped changing size, and only when its width (which the notes' lengths depend on) changed.
  var fittedWidth = innerWidth, resizing = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (innerWidth !== fittedWidth) { fittedWidth = innerWidth; fitNotes(); }
    }, 150);
  });
  // The page's fonts are local, but its pictures arrive after this script runs and move the text.
  if (document.images.length) window.addEventListener("load", fitNotes);
  fitNotes();
  // Print: paper has no margin to spare for a page's notes, so each note moves just below the paragraph, list item
  // or heading that cites it (style.css sets them there in two columns), and the title goes to the page headers.
  // All is put back once printing is done. Without this script each note prints below its passage's line.
  var moved = [];
  function boxFor(note, boxes) {
    var block = note.parentElement.closest("p, li, .heading-notes");
    if (!block) return null;
    if (!boxes.has(block)) {
      var box = document.createElement("div");
      box.className = "print-notes";
      // A list item's notes go after its own text, before any list nested in it.
      var next = block.tagName === "LI" ? nestedBlockAfter(block, note) : block.nextSibling;
      (block.tagName === "LI" ? block : block.parentNode).insertBefore(box, next);
      boxes.set(block, box);
    }
    return boxes.get(block);
  }
  function nestedBlockAfter(item, note) {
    var child = note;
    while (child.parentNode !== item) child = child.parentNode;
    for (child = child.nextSibling; child; child = child.nextSibling) {
      if (child.nodeType === 1 && /^(UL|OL|P|BLOCKQUOTE|PRE|DIV|H[1-6])$/.test(child.tagName)) return child;
    }
    return null;
  }
  // A CSS string: the title is text, never CSS.
  function cssString(text) {
    return '"' + text.replace(/[\\"]/g, "\\$&").replace(/\s+/g, " ") + '"';
  }
  window.addEventListener("beforeprint", function () {
    if (moved.length) return;
    var boxes = new Map();
    document.querySelectorAll(".sidenote").forEach(function (note) {
      var box = boxFor(note, boxes);
      if (!box) return;
      var place = document.createComment("note");
      note.parentNode.replaceChild(place, note);
      box.appendChild(note);
      moved.push([note, place]);
    });
    document.documentElement.style.setProperty("--print-title", cssString(document.title));
  });
  window.addEventListener("afterprint", function () {
    moved.forEach(function (pair) { pair[1].parentNode.replaceChild(pair[0], pair[1]); });
    moved = [];
    document.querySelectorAll(".print-notes").forEach(function (box) { box.remove(); });
    var root = document.documentElement;
    root.style.removeProperty("--print-title");
    if (!root.getAttribute("style")) root.removeAttribute("style");
  });
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("toggle")) return;
    if (e.key === "Enter") { el.checked = !el.checked; e.preventDefault(); }
    if (e.key === "Escape") { el.checked = false; }
  });
})();
