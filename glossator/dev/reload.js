// Added by `glossator serve` to the pages it sends, never to the files in site/.
(() => {
  "use strict";
  const key = "glossator-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    // After load, once the margin notes are laid out, so the page is as tall as before.
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }

  // Styles set through the CSSOM, which the page's Content-Security-Policy allows.
  const style = (element, properties) => Object.assign(element.style, properties);

  function show(problems) {
    document.getElementById("glossator-problems")?.remove();
    // A panel over the dimmed last good page, which stays in sight around it.
    const overlay = document.createElement("div");
    overlay.id = "glossator-problems";
    style(overlay, {position: "fixed", inset: "0", zIndex: "2147483647", background: "rgba(20, 20, 20, 0.45)"});
    const panel = document.createElement("div");
    panel.setAttribute("role", "alert");
    style(panel, {boxSizing: "border-box", maxWidth: "60rem", maxHeight: "calc(100% - 4rem)", margin: "2rem auto",
                  overflow: "auto", padding: "1.5rem 2rem", borderRadius: "6px", background: "#fffaf5",
                  color: "#1a1a1a", font: "14px/1.5 monospace", boxShadow: "0 8px 32px rgba(0, 0, 0, 0.35)"});
    overlay.append(panel);
    const title = document.createElement("h2");
    title.textContent = `The last save has ${problems.length} error${problems.length === 1 ? "" : "s"}; ` +
                        "behind this is the last good page. Fix and save to reload.";
    style(title, {font: "bold 16px/1.4 sans-serif", margin: "0 0 1.5rem"});
    panel.append(title);
    for (const problem of problems) {
      const item = document.createElement("div");
      style(item, {margin: "0 0 1.5rem"});
      const head = document.createElement("div");
      head.textContent = `${problem.where}: ${problem.message}`;
      style(head, {whiteSpace: "pre-wrap", fontWeight: "bold", color: "#a00"});
      item.append(head);
      if (problem.line !== null) {
        const source = document.createElement("pre");
        source.textContent = problem.line + "\n" + problem.caret;
        style(source, {margin: "0.25rem 0 0", overflowX: "auto", whiteSpace: "pre"});
        item.append(source);
      }
      panel.append(item);
    }
    document.body.append(overlay);
  }

  // The generation the server read this page at: it tells of any rebuild since, even one before we connect.
  const since = document.currentScript?.dataset.since;
  const events = new EventSource("/__glossator/events" + (since ? "?since=" + encodeURIComponent(since) : ""));
  events.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
  });
  events.addEventListener("problems", (event) => show(JSON.parse(event.data)));
})();
