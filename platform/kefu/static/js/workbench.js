/* kefu agent workbench: conversations over the /agent socket. */
(function () {
  "use strict";
  var T = window.KEFU_I18N;
  var listEl = document.getElementById("conversations");
  var emptyEl = document.getElementById("empty");
  var msgsEl = document.getElementById("messages");
  var titleEl = document.getElementById("chat-title");
  var closeBtn = document.getElementById("close-conv");
  var statusEl = document.getElementById("status");
  var connEl = document.getElementById("conn");
  var errEl = document.getElementById("wb-error");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var sendBtn = document.getElementById("send");
  var convs = {};      // id -> {conv, messages: [], unread}
  var seen = {};
  var lastId = 0;
  var current = null;
  var pending = {};    // client id -> {conversation_id, text}
  var listHooks = [];  // panels that decorate a chat's list item (e.g. no-reply alerts)
  var bubbleHooks = [];  // panels that decorate a message bubble (quote, recall, read receipts)
  var sendHooks = [];  // panels that add fields to a message being sent (e.g. reply_to)
  function sendExtras() {
    var x = {};
    sendHooks.forEach(function (fn) { var more = fn() || {}; Object.keys(more).forEach(function (k) { x[k] = more[k]; }); });
    return x;
  }

  function setStatus(status) { statusEl.value = status; statusEl.dataset.saved = status; }
  setStatus(T.initialStatus);
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "a" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; return; }
    errEl.textContent = err.message || String(err); errEl.hidden = false;
  }
  function entry(conv) {
    var e = convs[conv.id];
    // messages: this chat's, held newest first to oldest loaded; older: the visitor's earlier chats.
    if (!e) { e = convs[conv.id] = {conv: conv, messages: [], unread: 0, older: [], heads: {}}; }
    else { e.conv = conv; }
    return e;
  }
  // The list panel (wblist.js) sets how the list is filtered, sorted and grouped; by default
  // every chat, newest first.
  var listView = {
    filter: function () { return true; },
    sort: function (a, b) { return b.conv.id - a.conv.id; },
    group: function () { return null; }
  };
  var renderedHooks = [];  // panels that follow the list (unread total in the title …)
  var items = {};  // conversation id -> its <li> on screen, kept while its content is unchanged
  function buildItem(id, e) {
    var li = document.createElement("li");
    li.className = "conv" + (current == id ? " current" : "") + (e.conv.status === "closed" ? " closed" : "");
    li.dataset.id = id;
    var name = document.createElement("span");
    name.className = "conv-name";
    name.textContent = e.conv.visitor.name + (e.conv.status === "closed" ? " · " + T.closed : "");
    li.appendChild(name);
    if (e.unread) {
      var badge = document.createElement("span");
      badge.className = "badge"; badge.textContent = e.unread;
      li.appendChild(badge);
    }
    var last = e.messages[e.messages.length - 1];
    if (last) {
      var preview = document.createElement("span");
      preview.className = "conv-preview"; preview.textContent = last.text;
      li.appendChild(preview);
    }
    listHooks.forEach(function (fn) { fn(li, e); });
    return li;
  }
  // Each call builds the items off screen and touches the page only where one changed or moved:
  // with 50 open chats a new message repaints one row, not the whole list.
  function renderList() {
    var ids = Object.keys(convs).sort(function (a, b) { return listView.sort(convs[a], convs[b]); });
    emptyEl.hidden = ids.length > 0;
    var wanted = [], keep = {}, lastGroup = null;
    ids.forEach(function (id) {
      var e = convs[id];
      var fresh = buildItem(id, e);
      if (!listView.filter(e, fresh)) return;
      var group = listView.group(e);
      if (group !== null && group !== lastGroup) {
        var head = document.createElement("li");
        head.className = "conv-group"; head.textContent = group; head.dataset.group = group;
        wanted.push(head); lastGroup = group;
      }
      var old = items[id];
      if (old && old.outerHTML === fresh.outerHTML) { wanted.push(old); }
      else { fresh.onclick = function () { select(id); }; items[id] = fresh; wanted.push(fresh); }
      keep[id] = true;
    });
    Object.keys(items).forEach(function (id) { if (!keep[id]) delete items[id]; });
    var node = listEl.firstChild;
    wanted.forEach(function (li) {
      if (li.className === "conv-group" && node && node.className === "conv-group" && node.textContent === li.textContent) {
        node = node.nextSibling; return;  // the same group heading stays
      }
      if (li !== node) listEl.insertBefore(li, node); else node = node.nextSibling;
    });
    while (node) { var next = node.nextSibling; listEl.removeChild(node); node = next; }
    renderedHooks.forEach(function (fn) { fn(ids); });
  }
  // The message pane is windowed (history.js): rows are built on demand, at most `max` at a time.
  var pane = window.KefuHistory.pane(msgsEl, {max: 240, chunk: 60, onTop: function () {
    if (current && convs[current]) loadOlder(convs[current]);
  }});
  var paneConv = null;  // the chat whose rows the pane holds
  var lang = document.documentElement.lang === "en" ? "en" : "zh";
  function byId(a, b) { return a.id - b.id; }
  function row(key, build) { return {key: key, build: build}; }
  function note(cls, text) {
    var li = document.createElement("li");
    li.className = "msg msg-system " + cls;
    var span = document.createElement("span"); span.className = "bubble"; span.textContent = text;
    li.appendChild(span);
    return li;
  }
  function messageBubble(m) {
    var li = document.createElement("li");
    li.className = "msg msg-" + m.sender; li.dataset.id = m.id;
    var span = document.createElement("span"); span.className = "bubble"; span.textContent = m.text;
    li.appendChild(span);
    bubbleHooks.forEach(function (fn) { fn(li, m); });  // decorations apply to every rebuilt bubble
    return li;
  }
  // What ended a chat (Sobot's wording), in the page's language: the texts come with the chat.
  function endText(conv) {
    var t = conv.end_text && conv.end_text.agent;
    return t ? t[lang] : "";
  }
  function when(iso) {
    return iso ? new Date(iso).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {hour12: false}) : "";
  }
  // The line above each conversation's messages: an earlier one says when, who, where and how it ended.
  function separator(e, cid) {
    var li;
    if (String(cid) === String(e.conv.id)) {
      li = note("wb-sep wb-sep-current", [T.currentConversation, when(e.conv.created_at)].join(" · "));
    } else {
      var h = e.heads[cid] || {};
      var span = [when(h.created_at), when(h.closed_at)].filter(Boolean).join(" – ");
      li = note("wb-sep", [T.earlierConversation, span, h.agent_name, h.channel, endText(h)].filter(Boolean).join(" · "));
    }
    li.dataset.conversation = cid;
    return li;
  }
  function pendingBubble(cid, p) {
    var li = document.createElement("li");
    li.className = "msg msg-agent wb-pending wb-" + p.state; li.dataset.clientId = cid;
    var span = document.createElement("span"); span.className = "bubble"; span.textContent = p.text;
    var state = document.createElement("span");
    state.className = "wb-send-state"; state.textContent = p.state === "failed" ? T.sendFailed : T.sending;
    span.appendChild(state);
    if (p.state === "failed") {
      var retry = document.createElement("button");
      retry.type = "button"; retry.className = "wb-retry"; retry.textContent = T.retry;
      retry.onclick = function () { sendPending(cid); };
      span.appendChild(retry);
    }
    li.appendChild(span);
    return li;
  }
  // Everything the pane can show of a chat, oldest first: earlier conversations of the visitor
  // (from history pages) with their separators, this chat, replies still being sent, its end.
  function rowsOf(e) {
    var rows = [];
    if (e.more === false) rows.push(row("top-start", function () { return note("wb-top", T.noEarlier); }));
    var all = e.older.length ? e.older.concat(e.messages).sort(byId) : e.messages;
    var prev = null;
    all.forEach(function (m) {
      var cid = m.conversation_id;
      if (cid !== prev && (prev !== null || cid !== e.conv.id)) {
        rows.push(row("s" + cid + "-" + m.id, function () { return separator(e, cid); }));
      }
      prev = cid;
      rows.push(row("m" + m.id, function () { return messageBubble(m); }));
    });
    Object.keys(pending).forEach(function (cid) {
      var p = pending[cid];
      if (p.conversation_id === e.conv.id) rows.push(row("p" + cid + p.state, function () { return pendingBubble(cid, p); }));
    });
    if (e.conv.status === "closed") rows.push(row("end", function () { return note("wb-end", endText(e.conv) || T.closed); }));
    return rows;
  }
  function renderMessages(toBottom) {
    if (!current || !convs[current]) { pane.clear(); paneConv = null; return; }
    var rows = rowsOf(convs[current]);
    // Another chat: start at its newest message; the same chat: keep what the agent is reading.
    if (paneConv !== current) { paneConv = current; pane.reset(rows); } else pane.refresh(rows, toBottom);
  }
  function redraw(convId) { if (String(convId) === current) renderMessages(); }
  var selectHooks = [];
  function select(id) {
    current = String(id);
    var e = convs[current]; e.unread = 0;
    titleEl.textContent = e.conv.visitor.name + (e.conv.page_url ? " · " + e.conv.page_url : "");
    var open = e.conv.status === "active";
    input.disabled = sendBtn.disabled = closeBtn.disabled = !open;
    paneConv = null;
    msgsEl.classList.toggle("wb-loading-older", !!e.loading);
    renderList(); renderMessages(true);
    if (open) input.focus();
    selectHooks.forEach(function (fn) { fn(e.conv); });
  }
  // Put a message in its chat (a fresher copy replaces the old one); false if it was there.
  function keep(e, m) {
    var list = m.conversation_id === e.conv.id ? e.messages : e.older;
    for (var i = list.length - 1; i >= 0; i--) if (list[i].id === m.id) { list[i] = m; return false; }
    list.push(m);
    return true;
  }
  function settled(m) {
    // A reply the server stored (its ack may have been lost): its pending bubble goes.
    if (m.client_id && pending[m.client_id]) { delete pending[m.client_id]; return true; }
    return false;
  }
  function addMessage(m) {
    var was = settled(m);
    if (seen[m.id]) { if (was) redraw(m.conversation_id); return; }
    seen[m.id] = true;
    if (m.id > lastId) lastId = m.id;
    var e = convs[m.conversation_id];
    if (!e) return;
    e.messages.push(m);
    e.messages.sort(byId);
    if (String(m.conversation_id) === current) renderMessages(m.sender === "agent"); else e.unread++;
    renderList();
  }
  // Messages of a history page: this chat's go with it, the visitor's earlier chats' apart.
  function take(e, msgs, heads) {
    (heads || []).forEach(function (h) { e.heads[h.id] = h; });
    msgs.forEach(function (m) {
      settled(m);
      seen[m.id] = true;
      if (m.id > lastId && m.conversation_id === e.conv.id) lastId = m.id;
      keep(e, m);
    });
    e.messages.sort(byId); e.older.sort(byId);
  }
  var PAGE = 100;
  // "Loading earlier messages…" above the first row (CSS on the pane; no rows redrawn for it).
  msgsEl.dataset.loading = T.loadingEarlier;
  function loadingShown(e) { msgsEl.classList.toggle("wb-loading-older", !!e.loading && String(e.conv.id) === current); }
  // Scrolled to the top: the page before the oldest message held, across the visitor's chats.
  function loadOlder(e) {
    if (e.loading || e.more === false || !socket.connected) return;
    var first = [e.older[0], e.messages[0]].filter(Boolean).map(function (m) { return m.id; });
    e.loading = true; loadingShown(e);
    socket.emit("history", {conversation_id: e.conv.id, before_id: first.length ? Math.min.apply(null, first) : null, limit: PAGE},
      function (res) {
        e.loading = false; loadingShown(e);
        if (!res.ok) { showError(res.error); return; }
        take(e, res.messages, res.conversations);
        e.more = res.has_more;
        redraw(e.conv.id);
      });
  }
  // Back after missing more than a sync brings: page back from the oldest message the sync sent
  // to the newest one held before (e.hole, kept until filled so a second drop asks again).
  function fillGap(e, before, held) {
    e.hole = held;
    socket.emit("history", {conversation_id: e.conv.id, before_id: before, limit: PAGE}, function (res) {
      if (!res.ok && res.error && res.error.code === "rate_limited") {
        return setTimeout(function () { fillGap(e, before, held); }, 1000);  // many chats at once
      }
      if (!res.ok) return showError(res.error);
      var fresh = res.messages.filter(function (m) { return m.id > held; });
      take(e, fresh, res.conversations);
      redraw(e.conv.id); renderList();
      if (res.has_more && fresh.length && fresh.length === res.messages.length) fillGap(e, fresh[0].id, held);
      else delete e.hole;
    });
  }
  var syncHooks = [];  // panels that read the sync's extras (e.g. ratings)
  var socket = io("/agent", {transports: ["websocket", "polling"]});
  // A reply shows 发送中 until the server stored it, 发送失败 with 重试 when no answer came; a
  // refusal (e.g. a sensitive word) goes back into the box. Every try carries the same client id,
  // so the server stores it once however often it is sent.
  function sendPending(cid) {
    var p = pending[cid];
    if (!p) return;
    var attempt = p.attempt = (p.attempt || 0) + 1;
    p.state = socket.connected ? "sending" : "failed";
    redraw(p.conversation_id);
    if (!socket.connected) return;
    var body = {conversation_id: p.conversation_id, text: p.text, client_id: cid};
    Object.keys(p.extra || {}).forEach(function (k) { body[k] = p.extra[k]; });
    socket.timeout(10000).emit("message", body,
      function (err, res) {
        if (pending[cid] !== p || p.attempt !== attempt) return;  // settled, or tried again since
        if (err) { p.state = "failed"; redraw(p.conversation_id); return; }
        delete pending[cid];
        if (res.ok) { addMessage(res.message); showError(null); }
        else { showError(res.error); redraw(p.conversation_id); if (!input.value) input.value = p.text; }  // refused: let the agent edit it
      });
  }
  socket.on("connect", function () {
    connEl.textContent = T.online;
    var shown = Object.keys(convs).map(Number), after = {};
    // Per chat, the newest message held with nothing missing below it: the sync sends what came after.
    shown.forEach(function (id) {
      var e = convs[id], ms = e.messages;
      if (ms.length) after[id] = e.hole || ms[ms.length - 1].id;
    });
    socket.emit("sync", {after_id: 0, conversation_ids: shown, after: after}, function (res) {
      if (!res.ok) return showError(res.error);
      setStatus(res.status);
      res.conversations.forEach(entry);
      syncHooks.forEach(function (fn) { fn(res); });
      res.messages.forEach(function (m) {
        settled(m);
        seen[m.id] = true; if (m.id > lastId) lastId = m.id;
        var e = convs[m.conversation_id];
        if (e) keep(e, m);
      });
      Object.keys(res.windows || {}).forEach(function (id) {
        var w = res.windows[id], e = convs[id];
        if (!e) return;
        e.messages.sort(byId);
        // More came while away than a sync brings: fetch the stretch between.
        if (after[id] && w.gap) fillGap(e, w.oldest_id, after[id]);
        else if (!after[id]) e.more = w.has_more;
      });
      renderList();
      if (!current && Object.keys(convs).length) select(Object.keys(convs).sort(function (a, b) { return b - a; })[0]);
      else renderMessages();
      // Replies that were on their way when the line dropped go again; failed ones wait for 重试.
      Object.keys(pending).forEach(function (cid) { if (pending[cid].state === "sending") sendPending(cid); });
    });
  });
  socket.on("disconnect", function () { connEl.textContent = T.offline; });
  socket.on("connect_error", function (err) { connEl.textContent = T.offline; });
  socket.on("conversation.assigned", function (ev) {
    var e = entry(ev.conversation);
    (ev.messages || []).forEach(function (m) { if (!seen[m.id]) { seen[m.id] = true; e.messages.push(m); if (m.id > lastId) lastId = m.id; } });
    // Switch to a new conversation unless the agent is busy in another open one.
    if (!current || convs[current].conv.status !== "active") select(ev.conversation.id);
    else { e.unread = e.messages.length; renderList(); }
    // Sound and the browser notification for a new chat: the list panel (wblist.js).
  });
  socket.on("message.created", function (ev) { addMessage(ev.message); });
  socket.on("conversation.closed", function (ev) {
    var e = entry(ev.conversation);
    if (String(ev.conversation.id) === current) select(current); else renderList();
  });
  // An admin removed this agent's account: the chat went back to the queue.
  socket.on("conversation.released", function (ev) {
    entry(ev.conversation);
    if (String(ev.conversation.id) === current) select(current); else renderList();
  });
  // Supervisors also hear their colleagues' changes (the monitor room): only ours is our status.
  function mine(ev) { return !T.userId || ev.agent_id === T.userId; }
  socket.on("agent.status", function (ev) { if (mine(ev)) setStatus(ev.status); });
  statusEl.addEventListener("change", function () {
    socket.emit("status", {status: statusEl.value}, function (res) {
      if (!res.ok) { statusEl.value = statusEl.dataset.saved; return showError(res.error); }
      setStatus(res.status); showError(null);
    });
  });
  closeBtn.addEventListener("click", function () {
    if (!current) return;
    socket.emit("close", {conversation_id: Number(current)}, function (res) {
      if (!res.ok) return showError(res.error);
      entry(res.conversation); select(current);
    });
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || !current) return;
    var cid = uuid();
    pending[cid] = {conversation_id: Number(current), text: text, extra: sendExtras(), state: "sending"};
    input.value = "";
    sendPending(cid);
    pane.refresh(rowsOf(convs[current]), true);  // one's own reply: always to the bottom
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  // The extension point for the workbench's other panels (status, transfer, rating, 留言池 …):
  // each is its own script, loaded after this one, that uses only what is exported here.
  window.KefuWB = {
    T: T, socket: socket, convs: convs, entry: entry, select: select, renderList: renderList,
    renderMessages: renderMessages, addMessage: addMessage, showError: showError, uuid: uuid,
    pane: pane, loadOlder: loadOlder,
    setStatus: setStatus, input: input, mine: mine,
    current: function () { return current && convs[current] ? convs[current].conv : null; },
    onSelect: function (fn) { selectHooks.push(fn); },
    onSync: function (fn) { syncHooks.push(fn); },
    onListItem: function (fn) { listHooks.push(fn); },
    onBubble: function (fn) { bubbleHooks.push(fn); },
    onSend: function (fn) { sendHooks.push(fn); },
    onRendered: function (fn) { renderedHooks.push(fn); },
    setListView: function (view) { Object.keys(view).forEach(function (k) { listView[k] = view[k]; }); renderList(); },
    // Take a chat off this screen (transferred away, taken over, left by a helper).
    remove: function (id) {
      delete convs[id];
      if (current === String(id)) {
        current = null; renderMessages(); titleEl.textContent = "";
        input.disabled = sendBtn.disabled = closeBtn.disabled = true;
      }
      renderList();
    },
    actions: document.getElementById("chat-actions")
  };
})();
