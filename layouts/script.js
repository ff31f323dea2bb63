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
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("toggle")) return;
    if (e.key === "Enter") { el.checked = !el.checked; e.preventDefault(); }
    if (e.key === "Escape") { el.checked = false; }
  });
})();
