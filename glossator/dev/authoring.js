// Added by `glossator serve` to the article pages it sends, never to the files in site/: select a passage, press
// the Annotate button (or the key A), write the note; each note has Edit and Delete. The server writes the sidecar
// through its annotations API (W3C Web Annotation Protocol), rebuilds, and the reload script reloads the page.
(() => {
  "use strict";
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;
  const token = meta("glossator-token");
  const container = meta("glossator-annotations");
  if (!token || !container) return;
  // The page's text that is not the article's: the margin notes, their markers and toggles, and this script's own.
  const NOT_TEXT = ".sidenote, .marker, .toggle, .glossator-ui";
  const CONTEXT = 64; // characters of prefix and suffix sent with a selection: the server places it by them
  const state = {etag: null, items: new Map(), selection: null, editing: null};

  function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === true) element.setAttribute(name, "");
      else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
    }
    element.append(...children);
    return element;
  }

  async function call(method, path, data) {
    const headers = {Authorization: `Bearer ${token}`};
    if (method !== "GET") headers["If-Match"] = state.etag ?? '"no-sidecar"';
    if (data !== undefined) headers["Content-Type"] = "application/ld+json";
    let response;
    try {
      response = await fetch(path, {method, headers, cache: "no-store",
                                    body: data === undefined ? undefined : JSON.stringify(data)});
    } catch (error) {
      return {ok: false, problems: [`The server did not answer (${error.message}): is glossator serve running?`]};
    }
    let json = null;
    try { json = await response.json(); } catch { json = null; }
    if (response.ok && response.headers.get("ETag")) state.etag = response.headers.get("ETag");
    const problems = json?.problems ?? (response.ok ? [] : [`The server answered ${response.status}.`]);
    return {ok: response.ok, status: response.status, json, problems};
  }

  // The article body's text as the server reads it, node by node, without the notes and markers.
  function textNodes(body) {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => node.parentElement.closest(NOT_TEXT) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    return nodes;
  }

  function offsetOf(nodes, container, offset) {
    let at = 0;
    for (const node of nodes) {
      if (node === container) return at + offset;
      const range = document.createRange();
      range.selectNodeContents(node);
      if (range.comparePoint(container, offset) < 0) return at;
      at += node.data.length;
    }
    return at;
  }

  function elementOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  // The selected passage as a TextQuoteSelector, with more context than the server needs; null if none.
  function selected() {
    const body = document.querySelector(".article-body");
    const selection = getSelection();
    if (!body || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const inside = elementOf(range.commonAncestorContainer);
    if (!body.contains(inside) || inside.closest(NOT_TEXT)) return null;
    const nodes = textNodes(body);
    const text = nodes.map((node) => node.data).join("");
    const start = offsetOf(nodes, range.startContainer, range.startOffset);
    const end = offsetOf(nodes, range.endContainer, range.endOffset);
    const exact = text.slice(start, end);
    if (!exact.trim()) return null;
    return {selector: {type: "TextQuoteSelector", exact, prefix: text.slice(Math.max(0, start - CONTEXT), start),
                       suffix: text.slice(end, end + CONTEXT)}, rect: range.getBoundingClientRect()};
  }

  // The Annotate button, beside the selection.
  const annotate = el("button", {type: "button", class: "glossator-ui glossator-annotate",
                                 "aria-keyshortcuts": "A", title: "Annotate the selected passage (A)"}, "Annotate");
  annotate.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  annotate.addEventListener("click", () => openNew());

  function placeButton() {
    state.selection = selected();
    if (state.selection === null) {
      annotate.hidden = true;
      return;
    }
    const {rect} = state.selection;
    annotate.hidden = false;
    const width = annotate.offsetWidth;
    const left = Math.min(Math.max(8, rect.left + rect.width / 2 - width / 2), innerWidth - width - 8);
    Object.assign(annotate.style, {top: `${rect.bottom + scrollY + 8}px`, left: `${left + scrollX}px`});
  }

  // The dialog, one for a new annotation and an edit.
  const ids = {title: "glossator-dialog-title", note: "glossator-note", original: "glossator-original",
               id: "glossator-id", idHint: "glossator-id-hint", problems: "glossator-problems"};
  const title = el("h2", {id: ids.title});
  const passage = el("blockquote", {class: "glossator-passage"});
  const kindNote = el("input", {type: "radio", name: "glossator-kind", value: "note", id: "glossator-kind-note"});
  const kindCorrection = el("input", {type: "radio", name: "glossator-kind", value: "correction",
                                      id: "glossator-kind-correction"});
  const kinds = el("fieldset", {class: "glossator-kinds"}, el("legend", {}, "Kind"),
                   el("span", {}, kindNote, el("label", {for: kindNote.id}, "Note")),
                   el("span", {}, kindCorrection, el("label", {for: kindCorrection.id}, "Correction")));
  const original = el("textarea", {id: ids.original, rows: 2});
  const originalField = el("p", {class: "glossator-field"},
                           el("label", {for: ids.original}, "Original wording (what the received text said)"),
                           original);
  const note = el("textarea", {id: ids.note, rows: 5});
  const noteLabel = el("label", {for: ids.note}, "Note (Markdown)");
  const sourceRows = el("div", {class: "glossator-sources"});
  const addSource = el("button", {type: "button"}, "Add a source");
  addSource.addEventListener("click", () => sourceRow({}, true));
  const sources = el("fieldset", {}, el("legend", {}, "Sources (optional)"), sourceRows, addSource);
  const id = el("input", {id: ids.id, type: "text", autocomplete: "off", spellcheck: "false",
                          "aria-describedby": ids.idHint});
  const idField = el("p", {class: "glossator-field"}, el("label", {for: ids.id}, "Id (optional)"), id,
                     el("small", {id: ids.idHint}, "A stable name for the note's address: a letter, then letters, " +
                        "digits, - or _."));
  const problems = el("div", {id: ids.problems, class: "glossator-problems", role: "alert"});
  const status = el("p", {class: "glossator-status", "aria-live": "polite"});
  const save = el("button", {type: "submit", class: "glossator-save"}, "Save");
  const cancel = el("button", {type: "button"}, "Cancel");
  const remove = el("button", {type: "button", class: "glossator-delete"}, "Delete");
  const form = el("form", {}, title, passage, kinds, originalField, el("p", {class: "glossator-field"}, noteLabel, note),
                  sources, idField, problems, status, el("p", {class: "glossator-buttons"}, save, cancel, remove));
  const dialog = el("dialog", {class: "glossator-ui glossator-dialog", "aria-labelledby": ids.title}, form);
  const toast = el("p", {class: "glossator-ui glossator-toast", role: "status"});

  function sourceRow(source, focus = false) {
    const n = sourceRows.children.length + 1;
    const titleInput = el("input", {type: "text", "aria-label": `Source ${n}: title`, placeholder: "Title",
                                    value: source.title ?? ""});
    const urlInput = el("input", {type: "url", "aria-label": `Source ${n}: address`, placeholder: "https://…",
                                  value: source.url ?? ""});
    const drop = el("button", {type: "button", "aria-label": `Remove source ${n}`}, "Remove");
    const row = el("div", {class: "glossator-source"}, titleInput, urlInput, drop);
    drop.addEventListener("click", () => { row.remove(); addSource.focus(); });
    sourceRows.append(row);
    if (focus) titleInput.focus();
  }

  function showKind() {
    originalField.hidden = !kindCorrection.checked;
    noteLabel.textContent = kindCorrection.checked ? "Note (Markdown, optional)" : "Note (Markdown)";
  }
  kindNote.addEventListener("change", showKind);
  kindCorrection.addEventListener("change", showKind);
  cancel.addEventListener("click", () => dialog.close());
  remove.addEventListener("click", () => removeAnnotation(state.editing));
  form.addEventListener("submit", (event) => { event.preventDefault(); saveAnnotation(); });

  function fill(fields) {
    passage.textContent = fields.exact;
    (fields.kind === "correction" ? kindCorrection : kindNote).checked = true;
    original.value = fields.original ?? "";
    note.value = fields.note ?? "";
    id.value = fields.id ?? "";
    sourceRows.replaceChildren();
    for (const source of fields.sources ?? []) sourceRow(source);
    problems.replaceChildren();
    status.textContent = "";
    showKind();
  }

  function openNew() {
    const chosen = state.selection ?? selected();
    if (chosen === null) return;
    state.editing = null;
    state.target = {source: location.pathname.split("/").pop(), selector: chosen.selector};
    title.textContent = "New annotation";
    remove.hidden = true;
    fill({exact: chosen.selector.exact.trim()});
    dialog.showModal();
    note.focus();
  }

  function openEdit(key) {
    const item = state.items.get(key);
    if (!item) return;
    state.editing = key;
    state.target = item.target;
    const label = document.getElementById(key)?.getAttribute("aria-label") ?? "annotation";
    title.textContent = `Edit ${label.toLowerCase()}`;
    remove.hidden = false;
    fill(fieldsOf(item));
    dialog.showModal();
    note.focus();
  }

  // What the dialog shows of an annotation from the API.
  function fieldsOf(item) {
    const bodies = [].concat(item.body ?? []);
    const fields = {kind: item.motivation === "editing" ? "correction" : "note", sources: [],
                    exact: [].concat(item.target.selector).find((s) => s.type === "TextQuoteSelector")?.exact};
    for (const body of bodies) {
      if (body.type === "Choice") fields.note = body.items.find((i) => i.format === "text/markdown")?.value;
      else if (body.purpose === "linking") fields.sources.push(body.type === "SpecificResource"
        ? {title: body.source.label ?? "", url: body.source.id} : {title: body.value});
      else if (body.purpose === "editing") fields.original = body.value;
    }
    if (typeof item.canonical === "string") fields.id = item.canonical.split("#").pop();
    return fields;
  }

  // The dialog's fields as a W3C Web Annotation.
  function annotation() {
    const correction = kindCorrection.checked;
    const body = [];
    if (note.value.trim()) body.push({type: "TextualBody", purpose: "commenting", format: "text/markdown",
                                       value: note.value});
    if (correction) body.push({type: "TextualBody", purpose: "editing", format: "text/plain", value: original.value});
    for (const row of sourceRows.children) {
      const [titleInput, urlInput] = row.querySelectorAll("input");
      const [name, url] = [titleInput.value.trim(), urlInput.value.trim()];
      if (url) body.push({type: "SpecificResource", purpose: "linking", source: {id: url, label: name}});
      else if (name) body.push({type: "TextualBody", purpose: "linking", format: "text/plain", value: name});
    }
    const made = {"@context": "http://www.w3.org/ns/anno.jsonld", type: "Annotation",
                  motivation: correction ? "editing" : "commenting", body, target: state.target};
    if (id.value.trim()) made.canonical = `${location.pathname.split("/").pop()}#${id.value.trim()}`;
    return made;
  }

  function showProblems(found) {
    problems.replaceChildren(el("p", {}, found.length === 1 ? "Not saved:" : `Not saved, ${found.length} problems:`),
                             el("ul", {}, ...found.map((text) => el("li", {}, text))));
    problems.scrollIntoView({block: "nearest"});
  }

  async function saveAnnotation() {
    save.disabled = true;
    status.textContent = "Saving…";
    const path = state.editing ? container + encodeURIComponent(state.editing) : container;
    const answer = await call(state.editing ? "PUT" : "POST", path, annotation());
    save.disabled = false;
    if (!answer.ok) {
      status.textContent = "";
      showProblems(answer.problems);
      return;
    }
    dialog.close();
    saved("Saved to the sidecar; the page reloads with it once it is rebuilt.");
  }

  async function removeAnnotation(key) {
    const label = document.getElementById(key)?.getAttribute("aria-label") ?? "this annotation";
    if (!confirm(`Delete ${label.toLowerCase()} from the sidecar?`)) return;
    const answer = await call("DELETE", container + encodeURIComponent(key));
    if (!answer.ok) {
      if (!dialog.open) openEdit(key);
      showProblems(answer.problems);
      return;
    }
    if (dialog.open) dialog.close();
    saved("Deleted from the sidecar; the page reloads without it once it is rebuilt.");
  }

  function saved(message) {
    toast.textContent = message;
    getSelection()?.removeAllRanges();
    annotate.hidden = true;
  }

  // Edit and Delete on each note the API knows, beside its number.
  function addTools() {
    for (const [key] of state.items) {
      const sidenote = document.getElementById(key);
      if (!sidenote || sidenote.querySelector(".glossator-note-tools")) continue;
      const name = (sidenote.getAttribute("aria-label") ?? "annotation").toLowerCase();
      const edit = el("button", {type: "button", "aria-label": `Edit ${name}`}, "Edit");
      const drop = el("button", {type: "button", "aria-label": `Delete ${name}`}, "Delete");
      edit.addEventListener("click", () => openEdit(key));
      drop.addEventListener("click", () => removeAnnotation(key));
      // Not a span: the theme shows a note's first span of text inline with its number.
      const tools = el("small", {class: "glossator-ui glossator-note-tools"}, edit, drop);
      const label = sidenote.querySelector(".note-label");
      if (label) label.after(tools); else sidenote.prepend(tools);
    }
    dispatchEvent(new Event("resize")); // the theme fits the notes to the margin again
  }

  async function start() {
    annotate.hidden = true;
    document.body.append(annotate, dialog, toast);
    document.addEventListener("selectionchange", () => requestAnimationFrame(placeButton));
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
      if (event.key.toLowerCase() !== "a" || event.ctrlKey || event.metaKey || event.altKey || typing || dialog.open) {
        return;
      }
      state.selection = selected();
      if (state.selection === null) return;
      event.preventDefault();
      openNew();
    });
    const answer = await call("GET", container);
    if (!answer.ok) {
      toast.textContent = `Annotating is unavailable: ${answer.problems.join(" ")}`;
      return;
    }
    for (const item of answer.json.first?.items ?? []) state.items.set(decodeURIComponent(item.id.split("/").pop()), item);
    addTools();
    document.documentElement.setAttribute("data-glossator-authoring", "ready"); // for whoever waits on it: tests
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
