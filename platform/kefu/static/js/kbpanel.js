/* 内部知识库: the agent's knowledge drawer over the /agent socket (kb.* events).
   Titles and snippets arrive escaped with <mark> around matches; they are rebuilt here from text
   nodes and <mark> only. An item's body is server-sanitised HTML shown in a sandboxed frame
   without allow-scripts (and a CSP that forbids scripts), so even a stored <script> never runs;
   allow-same-origin only lets this page size the frame and lets attachment images carry the
   session cookie — with scripts off, nothing inside can use that origin. */
(function () {
  "use strict";
  var WB = window.KefuWB, T = window.KEFU_KB_I18N;
  if (!WB || !T) return;
  var socket = WB.socket;
  var $ = function (id) { return document.getElementById(id); };
  var panel = $("kb-panel"), toggle = $("kb-toggle"), errEl = $("kb-error");
  var form = $("kb-search"), qEl = $("kb-q");
  var results = $("kb-results"), listEl = $("kb-list"), summary = $("kb-summary");
  var pager = $("kb-pager"), pageNo = $("kb-pageno"), prevBtn = $("kb-prev"), nextBtn = $("kb-next");
  var treeEl = $("kb-tree"), favsEl = $("kb-favs"), favList = $("kb-fav-list"), favNone = $("kb-fav-none");
  var itemEl = $("kb-item"), frame = $("kb-frame"), itemNote = $("kb-item-note");
  var PER_PAGE = 10;
  var favs = {};         // "entry:3" -> true
  var items = {};        // "entry:3" -> the kb.item answer's item
  var sendIds = {};      // "conv:key:text" -> client id, kept until the server stored it
  var query = null;      // {q} or {browse, category_id, name}
  var page = 1, tab = "search", opened = null, back = "search";

  var head = document.querySelector(".wb-head");
  if (head) head.insertBefore(toggle, $("conn"));

  function fill(text, vals) { return text.replace(/\{(\w+)\}/g, function (m, k) { return vals[k]; }); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; return; }
    errEl.textContent = err.message || String(err); errEl.hidden = false;
  }
  function call(event, data, done) {
    socket.timeout(15000).emit(event, data || {}, function (err, res) {
      if (err) return showError({message: WB.T.sendFailed});
      if (!res.ok) return showError(res.error);
      showError(null); done(res);
    });
  }
  // Escaped text with <mark>: parsed inertly (a parsed document runs nothing), then rebuilt from
  // its text and <mark> elements only, so no other markup can reach the page.
  function marked(html) {
    var frag = document.createDocumentFragment();
    var body = new DOMParser().parseFromString("<body>" + (html || ""), "text/html").body;
    Array.prototype.forEach.call(body.childNodes, function (n) {
      if (n.nodeName === "MARK") frag.appendChild(el("mark", n.textContent));
      else frag.appendChild(document.createTextNode(n.textContent));
    });
    return frag;
  }
  function keyOf(kind, id) { return kind + ":" + id; }
  function hitKey(h) { return h.article_id ? keyOf("article", h.article_id) : keyOf("entry", h.entry_id); }

  // -- drawer and tabs --------------------------------------------------------------------
  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("kb-open", open);
    if (open) { loadFavourites(); if (tab === "search") qEl.focus(); }
  }
  toggle.addEventListener("click", function () { setOpen(panel.hidden); });
  $("kb-close").addEventListener("click", function () { setOpen(false); });
  function show(which) {
    tab = which === "item" ? tab : which;
    results.hidden = which !== "search";
    treeEl.hidden = which !== "tree";
    favsEl.hidden = which !== "favourites";
    itemEl.hidden = which !== "item";
    form.hidden = which !== "search";
    panel.querySelectorAll(".kb-tabs button").forEach(function (b) {
      b.setAttribute("aria-selected", b.dataset.tab === tab ? "true" : "false");
    });
  }
  panel.querySelectorAll(".kb-tabs button").forEach(function (b) {
    b.addEventListener("click", function () {
      show(b.dataset.tab);
      if (b.dataset.tab === "tree") loadTree();
      if (b.dataset.tab === "favourites") loadFavourites();
    });
  });

  // -- search and category listings -------------------------------------------------------
  function run() {
    var conv = WB.current();
    var data = {page: page, per_page: PER_PAGE};
    if (query.browse) { data.browse = true; data.category_id = query.category_id; }
    else { data.q = query.q; data.conversation_id = conv ? conv.id : null; }
    call("kb.search", data, function (res) { render(res.results, res.truncated); });
  }
  function render(r, truncated) {
    show("search");
    listEl.textContent = "";
    var text = query.browse ? fill(T.inCategory, {name: query.name}) + " · " : "";
    text += r.total ? fill(T.found, {total: r.total}) : T.none;
    if (truncated) text += " " + T.cut;
    summary.textContent = text;
    r.hits.forEach(function (h) { listEl.appendChild(hitItem(h)); });
    var pages = Math.max(1, Math.ceil(r.total / r.per_page));
    pager.hidden = pages < 2;
    pageNo.textContent = fill(T.page, {page: r.page, pages: pages});
    prevBtn.disabled = r.page <= 1; nextBtn.disabled = r.page >= pages;
    results.dataset.total = String(r.total);
  }
  function hitItem(h) {
    var key = hitKey(h), kind = h.article_id ? "article" : "entry", id = h.article_id || h.entry_id;
    var li = el("li", null, "kb-hit");
    li.dataset.key = key;
    var title = el("button", null, "kb-hit-title");
    title.type = "button";
    title.appendChild(el("span", T[kind], "kb-kind"));
    title.appendChild(marked(h.title_html));
    title.addEventListener("click", function () { back = tab; openItem(kind, id); });
    li.appendChild(title);
    if (h.matched && h.matched !== h.title) li.appendChild(el("p", fill(T.matched, {q: h.matched}), "kb-snippet"));
    var snip = el("p", null, "kb-snippet");
    snip.appendChild(marked(h.snippet_html));
    li.appendChild(snip);
    li.appendChild(actions(kind, id));
    return li;
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = qEl.value.trim();
    if (!q) return;
    query = {q: q}; page = 1; run();
  });
  prevBtn.addEventListener("click", function () { if (page > 1) { page -= 1; run(); } });
  nextBtn.addEventListener("click", function () { page += 1; run(); });

  // -- category tree ----------------------------------------------------------------------
  function name(node) { return (T.lang === "en" && node.name_en) ? node.name_en : node.name; }
  function browse(categoryId, label) {
    query = {browse: true, category_id: categoryId, name: label}; page = 1; back = "search"; run();
  }
  function branch(nodes) {
    var ul = el("ul");
    nodes.forEach(function (n) {
      var li = el("li"), b = el("button", name(n) + " (" + n.count + ")");
      b.type = "button"; b.dataset.category = n.id;
      b.addEventListener("click", function () { browse(n.id, name(n)); });
      li.appendChild(b);
      if (n.children.length) li.appendChild(branch(n.children));
      ul.appendChild(li);
    });
    return ul;
  }
  function loadTree() {
    call("kb.tree", {}, function (res) {
      treeEl.textContent = "";
      if (!res.tree.length && !res.uncategorised) { treeEl.appendChild(el("p", T.emptyTree, "kb-note")); return; }
      var ul = branch(res.tree);
      if (res.uncategorised) {
        var li = el("li"), b = el("button", T.uncategorised + " (" + res.uncategorised + ")");
        b.type = "button";
        b.addEventListener("click", function () { browse(0, T.uncategorised); });
        li.appendChild(b); ul.appendChild(li);
      }
      treeEl.appendChild(ul);
    });
  }

  // -- favourites -------------------------------------------------------------------------
  function paintFavs() {
    panel.querySelectorAll(".kb-fav").forEach(function (b) {
      var on = !!favs[b.dataset.key];
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = (on ? "★ " : "☆ ") + (on ? T.unfav : T.fav);
    });
  }
  function loadFavourites() {
    call("kb.favourites", {}, function (res) {
      favs = {};
      favList.textContent = "";
      res.favourites.forEach(function (f) {
        favs[keyOf(f.kind, f.id)] = true;
        var li = el("li", null, "kb-hit"), title = el("button", null, "kb-hit-title");
        li.dataset.key = keyOf(f.kind, f.id);
        title.type = "button";
        title.appendChild(el("span", T[f.kind], "kb-kind"));
        title.appendChild(document.createTextNode(f.title));
        title.addEventListener("click", function () { back = "favourites"; openItem(f.kind, f.id); });
        li.appendChild(title); li.appendChild(actions(f.kind, f.id));
        favList.appendChild(li);
      });
      favNone.hidden = res.favourites.length > 0;
      favsEl.dataset.count = String(res.favourites.length);
      paintFavs();
    });
  }
  function setFavourite(kind, id, on) {
    call("kb.favourite", {kind: kind, id: id, on: on}, function (res) {
      if (res.favourite) favs[keyOf(kind, id)] = true; else delete favs[keyOf(kind, id)];
      paintFavs();
      if (tab === "favourites") loadFavourites();
    });
  }
  // Another tab of this agent changed one.
  socket.on("kb.favourite", function (ev) {
    if (ev.favourite) favs[keyOf(ev.kind, ev.id)] = true; else delete favs[keyOf(ev.kind, ev.id)];
    paintFavs();
  });

  // -- an item's buttons: 收藏, 插入回复, 发送给访客 ---------------------------------------------
  function actions(kind, id) {
    var box = el("div", null, "kb-actions"), key = keyOf(kind, id);
    var fav = el("button", null, "kb-fav");
    fav.type = "button"; fav.dataset.key = key;
    fav.addEventListener("click", function () { setFavourite(kind, id, !favs[key]); });
    var ins = el("button", T.insert, "kb-insert"), send = el("button", T.send, "kb-send");
    ins.type = send.type = "button";
    ins.addEventListener("click", function () { withText(kind, id, insert); });
    send.addEventListener("click", function () { withText(kind, id, function (text) { sendNow(key, text); }); });
    box.appendChild(fav); box.appendChild(ins); box.appendChild(send);
    fav.setAttribute("aria-pressed", favs[key] ? "true" : "false");
    fav.textContent = (favs[key] ? "★ " : "☆ ") + (favs[key] ? T.unfav : T.fav);
    return box;
  }
  function withText(kind, id, fn) {
    var cached = items[keyOf(kind, id)];
    if (cached) return fn(cached.text);
    call("kb.item", {kind: kind, id: id}, function (res) { items[keyOf(kind, id)] = res.item; fn(res.item.text); });
  }
  function note(text) {
    itemNote.textContent = text; itemNote.hidden = !text;
    summary.textContent = text || summary.textContent;
  }
  // The answer goes where the caret is, as plain text, for the agent to edit; nothing is sent.
  function insert(text) {
    var input = WB.input;
    if (!WB.current() || input.disabled) return showError({message: T.noChat});
    var start = input.selectionStart, end = input.selectionEnd;
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.focus();
    input.setSelectionRange(start + text.length, start + text.length);
    input.dispatchEvent(new Event("input", {bubbles: true}));
    note(T.inserted);
  }
  // A normal agent message through the `message` event. Its client id stays the same until the
  // server stored it, so a second click after a lost answer cannot send it twice.
  function sendNow(key, text) {
    var conv = WB.current();
    if (!conv || conv.status === "closed") return showError({message: T.noChat});
    var slot = conv.id + ":" + key + ":" + text;
    var cid = sendIds[slot] = sendIds[slot] || WB.uuid();
    socket.timeout(10000).emit("message", {conversation_id: conv.id, text: text, client_id: cid}, function (err, res) {
      if (err) return showError({message: WB.T.sendFailed});
      if (!res.ok) return showError(res.error);
      delete sendIds[slot];
      showError(null);
      WB.addMessage(res.message);
      note(T.sent);
    });
  }

  // -- one item ---------------------------------------------------------------------------
  function frameDoc(html) {
    return "<!doctype html><html><head><meta charset=\"utf-8\">" +
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; " +
      "img-src 'self' https: http: data:; style-src 'unsafe-inline'\">" +
      "<base target=\"_blank\"><style>body{font:13px/1.6 system-ui,sans-serif;margin:8px;color:#1d2129;" +
      "word-break:break-word}img{max-width:100%;height:auto}table{border-collapse:collapse}" +
      "td,th{border:1px solid #e5e6eb;padding:2px 6px}p{margin:0 0 6px}</style></head><body>" +
      html + "</body></html>";
  }
  function fitFrame() {
    try {
      var d = frame.contentDocument;
      if (d && d.body) frame.style.height = Math.max(60, d.body.offsetHeight + 24) + "px";
    } catch (e) { /* not reachable: keep the default height */ }
  }
  frame.addEventListener("load", fitFrame);
  function links(ul, box, list, fn) {
    ul.textContent = "";
    list.forEach(function (x) {
      var li = el("li");
      if (fn) {
        var b = el("button", x.title);
        b.type = "button";
        b.addEventListener("click", function () { fn(x); });
        li.appendChild(b);
      } else li.textContent = x;
      ul.appendChild(li);
    });
    box.hidden = !list.length;
  }
  function openItem(kind, id) {
    call("kb.item", {kind: kind, id: id}, function (res) {
      var it = res.item;
      items[keyOf(kind, id)] = it;
      if (it.favourite) favs[keyOf(kind, id)] = true; else delete favs[keyOf(kind, id)];
      opened = it;
      $("kb-item-title").textContent = it.title;
      $("kb-item-path").textContent = [T[kind]].concat(it.category.map(name)).join(" / ");
      var acts = $("kb-item-actions");
      acts.textContent = "";
      acts.appendChild(actions(kind, id));
      itemNote.hidden = true;
      itemEl.dataset.key = keyOf(kind, id);
      frame.style.height = "";
      frame.srcdoc = frameDoc(it.body_html);
      links($("kb-similar"), $("kb-similar-box"), it.similar, null);
      links($("kb-related"), $("kb-related-box"), it.related, function (x) { openItem(x.kind, x.id); });
      show("item");
      $("kb-body").scrollTop = 0;
    });
  }
  $("kb-back").addEventListener("click", function () {
    opened = null;
    show(back);
    if (back === "favourites") loadFavourites(); else paintFavs();
  });
  // -- "#words" in the composer: the best few matches, Enter / Tab inserts one's answer --------
  var input = WB.input, composer = input.form;
  var anchor = el("div", null, "kb-suggest-anchor");
  var sugg = el("ul", null, "kb-suggest");
  sugg.id = "kb-suggest"; sugg.hidden = true; sugg.setAttribute("role", "listbox");
  anchor.appendChild(sugg);
  composer.parentNode.insertBefore(anchor, composer);
  var hash = null, shownHits = [], activeHit = 0, timer = null, asked = 0;
  // "#" after a space, punctuation or CJK text; not inside a word, a URL or "&#".
  function findHash() {
    if (input.selectionStart !== input.selectionEnd) return null;
    var caret = input.selectionStart, m = /(^|[^A-Za-z0-9_&\/#])#([^\s#]{1,30})$/.exec(input.value.slice(0, caret));
    return m ? {start: caret - m[2].length - 1, end: caret, q: m[2]} : null;
  }
  function closeSuggest() { hash = null; shownHits = []; sugg.hidden = true; sugg.textContent = ""; }
  function paintSuggest() {
    sugg.textContent = "";
    shownHits.forEach(function (h, i) {
      var li = el("li", null, "kb-sug" + (i === activeHit ? " active" : ""));
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === activeHit ? "true" : "false");
      li.appendChild(el("span", T[h.article_id ? "article" : "entry"], "kb-kind"));
      li.appendChild(marked(h.title_html));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the caret
      li.addEventListener("click", function () { pick(h); });
      sugg.appendChild(li);
    });
    sugg.hidden = !shownHits.length;
  }
  function pick(h) {
    var at = hash;
    closeSuggest();
    withText(h.article_id ? "article" : "entry", h.article_id || h.entry_id, function (text) {
      if (at) { input.setSelectionRange(at.start, at.end); }
      insert(text);
    });
  }
  input.addEventListener("input", function () {
    var t = findHash();
    if (!t) { closeSuggest(); return; }
    hash = t;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++asked;
      call("kb.search", {q: t.q, per_page: 5, suggest: true}, function (res) {
        if (mine !== asked || !hash || hash.q !== t.q) return;  // typed on since
        shownHits = res.results.hits; activeHit = 0; paintSuggest();
      });
    }, 250);
  });
  input.addEventListener("blur", function () { setTimeout(function () {
    if (document.activeElement !== input) closeSuggest();
  }, 150); });
  // Capture on the form runs before the textarea's own Enter-to-send handler.
  composer.addEventListener("keydown", function (e) {
    if (!hash || !shownHits.length || e.target !== input || e.isComposing) return;
    var stop = function () { e.preventDefault(); e.stopPropagation(); };
    if (e.key === "Escape") { stop(); closeSuggest(); }
    else if (e.key === "ArrowDown") { stop(); activeHit = (activeHit + 1) % shownHits.length; paintSuggest(); }
    else if (e.key === "ArrowUp") { stop(); activeHit = (activeHit - 1 + shownHits.length) % shownHits.length; paintSuggest(); }
    else if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") { stop(); pick(shownHits[activeHit]); }
  }, true);
  WB.onSelect(function () { closeSuggest(); });

  show("search");
})();
