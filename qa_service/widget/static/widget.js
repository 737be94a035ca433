/*
 * qa-service chat widget. Embed with one tag:
 *
 *   <script src="https://HOST/widget.js" defer
 *           data-title="Ask the documents" data-greeting="..." data-colour="#2454d6"
 *           data-position="bottom-right"></script>
 *
 * The widget talks to /api/* on the HOST that served this file (found from the script's own
 * src), lives in a shadow root so the host page's CSS and its own cannot meet, and renders
 * every piece of server text as text nodes: a document holding <script> or <img onerror>
 * shows that markup literally and never runs it. Plain JavaScript, no build step, no
 * third-party resources. See README, "## Chat widget", and DESIGN.md for the answer contract.
 */
(function () {
  "use strict";

  const script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || !script.src) return;

  const BASE = new URL("./", script.src); // HOST, plus any path prefix the service sits under
  const HOST_LABEL = BASE.host;
  const STORAGE_KEY = "qa-widget:" + BASE.href;
  const MAX_HISTORY = 20; // the service's default QA_MAX_HISTORY_TURNS
  const MAX_TURNS_KEPT = 50;
  const REQUEST_TIMEOUT_MS = 45000;
  const RELATED_SHOWN = 3;
  const SNIPPET_CHARS = 220;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: ["M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-8l-5 4v-4H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z", "M8 9h8M8 12.5h5"],
    close: ["M6 6l12 12M18 6L6 18"],
    send: ["M5 12h13M13 6l6 6-6 6"],
    back: ["M19 12H6M11 6l-6 6 6 6"],
    plus: ["M12 5v14M5 12h14"],
    up: ["M7 11v9H4v-9h3z", "M7 11l4-8c1.6 0 2.7 1.1 2.7 2.6V9h5.1a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.5 20H7"],
  };

  if (document.querySelector("qa-widget[data-base='" + CSS.escape(BASE.href) + "']")) return; // included twice

  const options = readOptions(script.dataset);

  // ------------------------------------------------------------------ options

  function readOptions(data) {
    const colour = (data.colour || data.color || "").trim();
    return {
      title: (data.title || "").trim() || "Ask the documents",
      greeting: (data.greeting || "").trim() ||
        "Ask a question about the documents. I answer with sentences quoted from them, each with its source.",
      colour: colour && CSS.supports("color", colour) ? colour : "#2454d6",
      position: (data.position || "").trim() === "bottom-left" ? "bottom-left" : "bottom-right",
    };
  }

  // ------------------------------------------------------------------ DOM helpers (text only)

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of [].concat(children === undefined ? [] : children)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function icon(name, extraClass) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon" + (extraClass ? " " + extraClass : ""));
    for (const d of ICONS[name]) {
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    }
    return svg;
  }

  function button(label, cls, children, attrs) {
    return el("button", Object.assign({ type: "button", class: cls, "aria-label": label }, attrs || {}), children);
  }

  function readableDate(iso) {
    const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(iso || "");
    if (!m) return iso || "";
    const month = m[2] ? MONTHS[Number(m[2]) - 1] : "";
    if (m[3] && month) return Number(m[3]) + " " + month + " " + m[1];
    return month ? month + " " + m[1] : m[1];
  }

  function joinMeta(parts) {
    return parts.filter(Boolean).join(" · ");
  }

  function snippet(text) {
    const flat = String(text || "").replace(/\s+/g, " ").trim();
    if (flat.length <= SNIPPET_CHARS) return flat;
    const cut = flat.slice(0, SNIPPET_CHARS);
    return cut.slice(0, Math.max(cut.lastIndexOf(" "), SNIPPET_CHARS / 2)) + "…";
  }

  /** White or near-black, whichever reads better on the accent colour. */
  function textOn(colour, probe) {
    probe.style.color = colour;
    const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
    probe.style.color = "";
    if (!rgb) return "#ffffff";
    const lin = rgb.slice(1, 4).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    const luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.055 ? "#ffffff" : "#111827";
  }

  // ------------------------------------------------------------------ talking to the service

  class ServiceError extends Error {}

  /** POST or GET a path under BASE; resolves to the JSON body or rejects with a sentence for a person. */
  async function call(path, payload, signal) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort("timeout"), REQUEST_TIMEOUT_MS);
    if (signal) signal.addEventListener("abort", () => controller.abort("cancelled"));
    const init = { method: "GET", credentials: "omit", mode: "cors", signal: controller.signal };
    if (payload !== undefined) {
      init.method = "POST";
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(payload);
    }
    let response;
    try {
      response = await fetch(new URL(path, BASE), init);
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason === "timeout") {
        throw new ServiceError("The answering service took too long to reply. Try again in a moment.");
      }
      if (controller.signal.aborted) throw err;
      throw new ServiceError(
        "Can't reach the answering service at " + HOST_LABEL + ". It may be down, or this site may not be " +
        "allowed to use it. Try again in a moment.");
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.error && typeof body.error.message === "string" ? body.error.message : "";
      throw new ServiceError(message || "The answering service failed with HTTP " + response.status + ".");
    }
    if (body === null) throw new ServiceError("The answering service sent a reply this page can't read.");
    return body;
  }

  function looksLikeAnswer(body) {
    return body && typeof body.answer === "string" && typeof body.abstained === "boolean" &&
      Array.isArray(body.citations) && Array.isArray(body.passages || []);
  }

  let documentList = null; // Promise of {doc_id: summary}
  const documentTexts = new Map(); // doc_id -> Promise of the document

  function documentsById() {
    if (!documentList) {
      documentList = call("api/documents").then((docs) => {
        const byId = {};
        for (const doc of Array.isArray(docs) ? docs : []) byId[doc.id] = doc;
        return byId;
      }).catch((err) => {
        documentList = null; // try again next time
        throw err;
      });
    }
    return documentList;
  }

  function fetchDocument(docId) {
    if (!documentTexts.has(docId)) {
      const pending = call("api/documents/" + encodeURIComponent(docId)).catch((err) => {
        documentTexts.delete(docId);
        throw err;
      });
      documentTexts.set(docId, pending);
    }
    return documentTexts.get(docId);
  }

  // ------------------------------------------------------------------ state (survives a reload)

  function loadState() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.turns)) {
        return { open: Boolean(saved.open), turns: saved.turns.filter((t) => t && typeof t.question === "string") };
      }
    } catch (err) {
      // storage blocked or corrupt: start afresh
    }
    return { open: false, turns: [] };
  }

  function saveState() {
    try {
      state.turns = state.turns.slice(-MAX_TURNS_KEPT);
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (err) {
      // storage full or blocked: the conversation still works, it just won't survive a reload
    }
  }

  /**
   * The completed exchanges before `turn` (before a new question: all of them), oldest first, as
   * /api/ask takes them: the answer's text as returned. A rating sends the same history its
   * question was asked with, so a reviewer sees a follow-up in its conversation.
   */
  function history(turn) {
    const end = turn ? Math.max(state.turns.indexOf(turn), 0) : state.turns.length;
    return state.turns.slice(0, end)
      .filter((t) => t.response && typeof t.response.answer === "string")
      .slice(-MAX_HISTORY)
      .map((t) => ({ question: t.question, answer: t.response.answer }));
  }

  // ------------------------------------------------------------------ building the widget

  const state = loadState();
  let generation = 0; // bumped by "new conversation" so late replies to the old one are dropped
  let inFlight = null;
  let returnFocusTo = null;
  let logScroll = 0;

  const host = document.createElement("qa-widget");
  host.setAttribute("data-base", BASE.href);
  const root = host.attachShadow({ mode: "open" });

  const stylesheet = el("link", { rel: "stylesheet", href: new URL("widget.css", BASE).href });
  const shell = el("div", { class: "qa", "data-position": options.position, "data-styled": "false" });

  const launcher = button("Open chat: " + options.title, "launcher", [icon("chat", "icon-open"), icon("close", "icon-shut")],
    { "aria-expanded": "false", "aria-controls": "qa-panel", "aria-haspopup": "dialog" });

  const newButton = button("Start a new conversation", "header-button new", [icon("plus"), el("span", {}, "New")]);
  const closeButton = button("Close chat", "header-button close", icon("close"));
  const header = el("header", { class: "header" }, [
    el("div", { class: "header-text" }, [
      el("h2", { class: "title", id: "qa-title" }, options.title),
      el("p", { class: "subtitle" }, "Answers quoted from the documents"),
    ]),
    el("div", { class: "header-actions" }, [newButton, closeButton]),
  ]);

  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "-1" });
  const input = el("input", { class: "input", type: "text", name: "question", autocomplete: "off",
    enterkeyhint: "send", placeholder: "Ask a question…", "aria-label": "Your question" });
  const sendButton = el("button", { type: "submit", class: "send", "aria-label": "Send question" }, icon("send"));
  const composer = el("form", { class: "composer", novalidate: true }, [input, sendButton]);
  const chatView = el("div", { class: "view chat-view" }, [log, composer]);

  const backButton = button("Back to the conversation", "back", [icon("back"), el("span", {}, "Back to answers")]);
  const sourceHead = el("div", { class: "source-head" });
  const sourceText = el("div", { class: "source-text", tabindex: "0", "aria-label": "Document text" });
  const sourceView = el("div", { class: "view source-view", hidden: true, role: "region",
    "aria-label": "Source document" }, [el("div", { class: "source-bar" }, backButton), sourceHead, sourceText]);

  const panel = el("section", { class: "panel", id: "qa-panel", role: "dialog", "aria-labelledby": "qa-title",
    hidden: true }, [header, chatView, sourceView]);
  const probe = el("span", { class: "probe", "aria-hidden": "true" });

  append(shell, [panel, launcher, probe]);
  append(root, [stylesheet, shell]);

  function showOnceStyled() {
    shell.setAttribute("data-styled", "true");
  }
  stylesheet.addEventListener("load", showOnceStyled);
  stylesheet.addEventListener("error", showOnceStyled); // unstyled but usable beats invisible

  function mount() {
    document.body.appendChild(host);
    shell.style.setProperty("--qa-accent", options.colour);
    shell.style.setProperty("--qa-on-accent", textOn(options.colour, probe));
    renderConversation();
    if (state.open) openPanel(false);
  }

  // ------------------------------------------------------------------ rendering turns

  function greeting() {
    return el("div", { class: "msg bot greeting" }, el("p", {}, options.greeting));
  }

  function renderConversation() {
    log.replaceChildren(greeting());
    for (const turn of state.turns) log.appendChild(renderTurn(turn));
    scrollLogToEnd();
  }

  function renderTurn(turn) {
    const node = el("div", { class: "turn" }, el("div", { class: "msg user" }, el("p", {}, turn.question)));
    if (turn.response) node.appendChild(turn.response.abstained ? renderAbstention(turn) : renderAnswer(turn));
    else if (turn.error) node.appendChild(renderError(turn));
    return node;
  }

  function citationButton(citation) {
    const label = "Source " + citation.n + ": " + (citation.title || citation.doc_id);
    const b = button(label, "cite", "[" + citation.n + "]",
      { title: joinMeta([citation.title, citation.source, pageLabel([citation.page])]) });
    b.addEventListener("click", () => openSource({
      doc_id: citation.doc_id, start: citation.start, end: citation.end, quote: citation.quote,
      section: citation.section, page: citation.page,
    }, b));
    return b;
  }

  /**
   * A quoted sentence, the phrase that answers (citation.answer_span) in <strong class="answer-span">:
   * text nodes only. A span that is not exactly inside its quote (an older reply, a bad one) is left out.
   */
  function quoteNode(citation) {
    const quote = el("q", { class: "quote" });
    const text = typeof citation.quote === "string" ? citation.quote : "";
    const span = citation.answer_span;
    const from = span && Number.isInteger(span.start) ? span.start - citation.start : -1;
    const to = span && Number.isInteger(span.end) ? span.end - citation.start : -1;
    if (from >= 0 && to > from && to <= text.length && text.slice(from, to) === span.text) {
      return append(quote, [text.slice(0, from), el("strong", { class: "answer-span" }, span.text), text.slice(to)]);
    }
    return append(quote, text);
  }

  function renderAnswer(turn) {
    const answer = turn.response;
    const citations = answer.citations.filter((c) => c && typeof c.doc_id === "string");
    const byDate = Boolean(answer.ordered_by_date);
    const article = el("article", { class: "msg bot answer" + (byDate ? " by-date" : ""), "aria-label": "Answer" });

    if (!citations.length) {
      article.appendChild(el("p", { class: "answer-text" }, answer.answer));
    } else if (byDate) {
      article.appendChild(el("p", { class: "order-note" }, "In date order, oldest first"));
      article.appendChild(el("ol", { class: "timeline" }, citations.map((c) => el("li", {}, [
        el("span", { class: "date-chip" }, readableDate(c.date) || "Undated"),
        el("span", { class: "timeline-text" }, [quoteNode(c), " ", citationButton(c)]),
      ]))));
    } else {
      const text = el("p", { class: "answer-text" });
      citations.forEach((c, i) => append(text, [i ? " " : null, quoteNode(c), " ", citationButton(c)]));
      article.appendChild(text);
    }
    if (citations.length) article.appendChild(renderSources(citations, byDate));
    article.appendChild(renderFeedback(turn));
    return article;
  }

  /** "p. 12" or "pp. 3, 12" for the printed pages of a PDF's citations; "" when none has a page. */
  function pageLabel(pages) {
    const known = [...new Set(pages.filter((p) => Number.isInteger(p) && p > 0))].sort((a, b) => a - b);
    if (!known.length) return "";
    return (known.length === 1 ? "p. " : "pp. ") + known.join(", ");
  }

  /** One line per document story, with the markers that cite it; dates first when the answer is in date order. */
  function renderSources(citations, byDate) {
    const groups = new Map();
    for (const c of citations) {
      const key = c.doc_id + "\u0000" + (c.section || "");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(c);
    }
    const items = [];
    for (const group of groups.values()) {
      const first = group[0];
      const open = button("Open source: " + (first.title || first.doc_id), "source-link", first.title || first.doc_id);
      open.addEventListener("click", () => openSource({
        doc_id: first.doc_id, start: first.start, end: first.end, quote: first.quote, section: first.section,
        page: first.page,
      }, open));
      const date = readableDate(first.date);
      const section = first.section && first.section !== first.title ? first.section : "";
      const pages = pageLabel(group.map((c) => c.page));
      items.push(el("li", { class: "source" }, [
        el("span", { class: "source-markers", "aria-hidden": "true" }, group.map((c) => "[" + c.n + "]").join(" ")),
        el("span", { class: "source-body" }, [
          byDate && date ? el("span", { class: "source-date" }, date) : null,
          open,
          el("span", { class: "source-meta" }, joinMeta([first.source, byDate ? "" : date, section, pages])),
        ]),
      ]));
    }
    return el("div", { class: "sources" }, [
      el("h3", { class: "sources-title" }, byDate ? "Sources, oldest first" : "Sources"),
      el("ol", { class: "source-list" }, items),
    ]);
  }

  function renderAbstention(turn) {
    const answer = turn.response;
    const article = el("article", { class: "msg bot abstain", "aria-label": "No answer in the documents" }, [
      el("p", { class: "abstain-title" }, "The documents don't say"),
      el("p", { class: "abstain-text" },
        "Nothing in the collection answers this, so there is nothing to quote. Try asking it another way."),
    ]);
    const passages = (answer.passages || []).filter((p) => p && typeof p.doc_id === "string").slice(0, RELATED_SHOWN);
    if (passages.length) {
      const list = el("ul", { class: "related-list" });
      article.appendChild(el("div", { class: "related" }, [
        el("h3", { class: "related-title" }, "Related reading (not an answer)"), list,
      ]));
      documentsById().catch(() => ({})).then((docs) => {
        for (const p of passages) list.appendChild(renderRelated(p, docs[p.doc_id]));
      });
    }
    article.appendChild(renderFeedback(turn));
    return article;
  }

  function renderRelated(passage, doc) {
    const title = (doc && doc.title) || passage.doc_id;
    const open = button("Read in context: " + title, "source-link", title);
    open.addEventListener("click", () => openSource({
      doc_id: passage.doc_id, start: passage.start, end: passage.end, quote: passage.text,
    }, open));
    return el("li", { class: "related-item" }, [
      open,
      el("span", { class: "source-meta" }, joinMeta([doc && doc.source, doc && readableDate(doc.date)])),
      el("p", { class: "snippet" }, snippet(passage.text)),
    ]);
  }

  function renderError(turn) {
    const retry = button("Try the question again", "retry", "Try again");
    retry.addEventListener("click", () => {
      if (inFlight) return; // one question at a time; the error stays until it can be retried
      state.turns = state.turns.filter((t) => t !== turn);
      saveState();
      retry.closest(".turn").remove();
      send(turn.question);
    });
    return el("div", { class: "msg bot error", role: "alert" }, [
      el("p", { class: "error-title" }, "Couldn't get an answer"),
      el("p", { class: "error-text" }, turn.error),
      retry,
    ]);
  }

  function renderFeedback(turn) {
    const status = el("span", { class: "feedback-status", role: "status" });
    const up = button("Helpful", "rate up", icon("up"), { "aria-pressed": String(turn.rating === "up") });
    const down = button("Not helpful", "rate down", icon("up", "flip"),
      { "aria-pressed": String(turn.rating === "down") });
    const row = el("div", { class: "feedback" }, [el("span", { class: "feedback-label" }, "Was this helpful?"),
      up, down, status]);
    if (turn.rating) {
      up.disabled = down.disabled = true;
      status.textContent = "Thanks for the feedback.";
    }
    const rate = async (rating) => {
      up.disabled = down.disabled = true;
      status.textContent = "Sending…";
      try {
        await call("api/feedback", { rating, question: turn.question, answer: turn.response.answer,
          citations: turn.response.citations, history: history(turn) });
        turn.rating = rating;
        saveState();
        (rating === "up" ? up : down).setAttribute("aria-pressed", "true");
        status.textContent = "Thanks for the feedback.";
      } catch (err) {
        up.disabled = down.disabled = false;
        status.textContent = err instanceof ServiceError ? err.message : "Couldn't send the feedback.";
      }
    };
    up.addEventListener("click", () => rate("up"));
    down.addEventListener("click", () => rate("down"));
    return row;
  }

  function typingIndicator() {
    return el("div", { class: "msg bot typing", role: "status" }, [
      el("span", { class: "sr-only" }, "Looking through the documents…"),
      el("span", { class: "dot", "aria-hidden": "true" }),
      el("span", { class: "dot", "aria-hidden": "true" }),
      el("span", { class: "dot", "aria-hidden": "true" }),
    ]);
  }

  function scrollLogToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Show a new exchange from its question when it is taller than the log, else scroll to the end. */
  function scrollToTurn(node) {
    log.scrollTop = node.offsetHeight > log.clientHeight ? node.offsetTop - 8 : log.scrollHeight;
  }

  // ------------------------------------------------------------------ asking

  async function send(question) {
    if (inFlight) return;
    const asked = { question, history: history() };
    const thisGeneration = generation;
    const turnNode = el("div", { class: "turn" }, el("div", { class: "msg user" }, el("p", {}, question)));
    const typing = typingIndicator();
    turnNode.appendChild(typing);
    log.appendChild(turnNode);
    scrollLogToEnd();
    inFlight = new AbortController();
    log.setAttribute("aria-busy", "true");
    sendButton.setAttribute("aria-disabled", "true");
    const turn = { question };
    try {
      const body = await call("api/ask", asked, inFlight.signal);
      if (!looksLikeAnswer(body)) throw new ServiceError("The answering service sent a reply this page can't read.");
      turn.response = body;
    } catch (err) {
      if (!(err instanceof ServiceError)) {
        if (thisGeneration !== generation) return; // cancelled by "new conversation"
        turn.error = "Something went wrong in this page; try again.";
      } else {
        turn.error = err.message;
      }
    } finally {
      inFlight = null;
      log.removeAttribute("aria-busy");
      sendButton.removeAttribute("aria-disabled");
    }
    if (thisGeneration !== generation) return;
    state.turns.push(turn);
    saveState();
    typing.remove();
    const reply = turn.response
      ? (turn.response.abstained ? renderAbstention(turn) : renderAnswer(turn))
      : renderError(turn);
    turnNode.appendChild(reply);
    if (turn.error && !input.value) input.value = question; // ready to send again
    scrollToTurn(turnNode);
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || inFlight) return;
    input.value = "";
    send(question);
  });

  // ------------------------------------------------------------------ the source view

  function showView(view) {
    if (view === sourceView && !chatView.hidden) logScroll = log.scrollTop;
    chatView.hidden = view !== chatView;
    sourceView.hidden = view !== sourceView;
    if (view === chatView) log.scrollTop = logScroll;
  }

  function sourceMessage(text) {
    sourceHead.replaceChildren();
    sourceText.replaceChildren(el("p", { class: "source-status" }, text));
  }

  /** Open a document at a span: its metadata, and its text scrolled to the span, highlighted in <mark>. */
  async function openSource(target, trigger) {
    returnFocusTo = trigger || null;
    showView(sourceView);
    sourceMessage("Opening the document…");
    backButton.focus();
    let doc;
    try {
      doc = await fetchDocument(target.doc_id);
    } catch (err) {
      sourceMessage(err instanceof ServiceError ? err.message : "Couldn't open the document.");
      return;
    }
    if (sourceView.hidden || returnFocusTo !== (trigger || null)) return; // closed or replaced meanwhile
    const text = typeof doc.text === "string" ? doc.text : "";
    let start = target.start;
    let end = target.end;
    if (text.slice(start, end) !== target.quote) { // offsets from an older build: find the quote instead
      start = target.quote ? text.indexOf(target.quote) : -1;
      end = start < 0 ? -1 : start + target.quote.length;
    }
    const link = safeUrl(doc.url);
    const page = Number.isInteger(target.page) && target.page > 0 ? target.page : null;
    const file = typeof doc.original === "string" ? new URL(doc.original, BASE).href : null;
    sourceHead.replaceChildren();
    append(sourceHead, [
      el("h3", { class: "source-title" }, doc.title || doc.id),
      el("p", { class: "source-meta" }, joinMeta([doc.source, readableDate(doc.date), doc.author && "by " + doc.author,
        pageLabel([page])])),
      target.section && target.section !== doc.title ? el("p", { class: "source-section" }, target.section) : null,
      el("p", { class: "source-links" }, [
        el("a", { class: "source-page", href: sourcePage(target.doc_id, start, end), target: "_blank",
          rel: "noopener" }, "Open in a new tab"),
        link ? el("a", { class: "source-url", href: link, target: "_blank", rel: "noopener noreferrer" },
          "Original page") : null,
        file ? el("a", { class: "source-file", href: page ? file + "#page=" + page : file, target: "_blank",
          rel: "noopener" }, page ? "PDF at page " + page : "Original file") : null,
      ]),
    ]);
    if (start < 0) {
      sourceText.replaceChildren(
        el("p", { class: "source-status" }, "The quoted passage is no longer in this document; it may have changed."),
        document.createTextNode(text));
      sourceText.scrollTop = 0;
      return;
    }
    const mark = el("mark", { class: "quoted", tabindex: "-1" }, text.slice(start, end));
    sourceText.replaceChildren(document.createTextNode(text.slice(0, start)), mark,
      document.createTextNode(text.slice(end)));
    // Scroll only the text box (scrollIntoView would also scroll the host page); it is the mark's
    // offsetParent, so offsetTop is the mark's place in the text.
    const room = sourceText.clientHeight - mark.offsetHeight;
    sourceText.scrollTop = Math.max(0, mark.offsetTop - Math.max(24, room / 3));
    mark.focus({ preventScroll: true });
  }

  /** The service's own page for the document, the span marked and scrolled to (without a span: the whole text). */
  function sourcePage(docId, start, end) {
    const span = start >= 0 ? "?start=" + start + "&end=" + end + "#quote" : "";
    return new URL("source/" + encodeURIComponent(docId) + span, BASE).href;
  }

  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  function closeSource() {
    showView(chatView);
    const target = returnFocusTo && returnFocusTo.isConnected ? returnFocusTo : input;
    returnFocusTo = null;
    target.focus();
  }

  backButton.addEventListener("click", closeSource);

  // ------------------------------------------------------------------ open, close, new conversation

  function openPanel(focus) {
    panel.hidden = false;
    shell.classList.add("is-open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat: " + options.title);
    if (!state.open) {
      state.open = true;
      saveState();
    }
    scrollLogToEnd();
    if (focus) input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    shell.classList.remove("is-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat: " + options.title);
    state.open = false;
    saveState();
    launcher.focus();
  }

  function newConversation() {
    generation += 1;
    if (inFlight) inFlight.abort();
    state.turns = [];
    saveState();
    showView(chatView);
    renderConversation();
    input.value = "";
    input.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? openPanel(true) : closePanel()));
  closeButton.addEventListener("click", closePanel);
  newButton.addEventListener("click", newConversation);
  shell.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || panel.hidden) return;
    event.stopPropagation();
    if (!sourceView.hidden) closeSource();
    else closePanel();
  });

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
