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
    if (!e) { e = convs[conv.id] = {conv: conv, messages: [], unread: 0}; }
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
  function bubble(cls, text) {
    var li = document.createElement("li");
    li.className = "msg " + cls;
    var span = document.createElement("span"); span.className = "bubble"; span.textContent = text;
    li.appendChild(span); msgsEl.appendChild(li);
    return li;
  }
  // What ended a chat (Sobot's wording), in the page's language: the texts come with the chat.
  function endText(conv) {
    var t = conv.end_text && conv.end_text.agent;
    return t ? t[document.documentElement.lang === "en" ? "en" : "zh"] : "";
  }
  function renderMessages(toBottom) {
    // Follow new messages only when the agent is not reading further up.
    var atBottom = msgsEl.scrollHeight - msgsEl.scrollTop - msgsEl.clientHeight < 40;
    var top = msgsEl.scrollTop;
    msgsEl.innerHTML = "";
    if (!current) return;
    var e = convs[current];
    e.messages.forEach(function (m) {
      var li = bubble("msg-" + m.sender, m.text); li.dataset.id = m.id;
      bubbleHooks.forEach(function (fn) { fn(li, m); });
    });
    if (e.conv.status === "closed") bubble("msg-system", endText(e.conv) || T.closed);
    msgsEl.scrollTop = toBottom || atBottom ? msgsEl.scrollHeight : top;
  }
  var selectHooks = [];
  function select(id) {
    current = String(id);
    var e = convs[current]; e.unread = 0;
    titleEl.textContent = e.conv.visitor.name + (e.conv.page_url ? " · " + e.conv.page_url : "");
    var open = e.conv.status === "active";
    input.disabled = sendBtn.disabled = closeBtn.disabled = !open;
    renderList(); renderMessages(true);
    if (open) input.focus();
    selectHooks.forEach(function (fn) { fn(e.conv); });
  }
  function addMessage(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    if (m.id > lastId) lastId = m.id;
    var e = convs[m.conversation_id];
    if (!e) return;
    e.messages.push(m);
    e.messages.sort(function (a, b) { return a.id - b.id; });
    if (String(m.conversation_id) === current) renderMessages(m.sender === "agent"); else e.unread++;
    renderList();
  }
  var syncHooks = [];  // panels that read the sync's extras (e.g. ratings)
  var socket = io("/agent", {transports: ["websocket", "polling"]});
  function sendPending(cid) {
    var p = pending[cid];
    if (!p || !socket.connected) return;
    var body = {conversation_id: p.conversation_id, text: p.text, client_id: cid};
    Object.keys(p.extra || {}).forEach(function (k) { body[k] = p.extra[k]; });
    socket.timeout(10000).emit("message", body,
      function (err, res) {
        if (err) return;
        delete pending[cid];
        if (res.ok) { addMessage(res.message); showError(null); }
        else { showError(res.error); if (!input.value) input.value = p.text; }  // refused: let the agent edit it
      });
  }
  socket.on("connect", function () {
    connEl.textContent = T.online;
    var shown = Object.keys(convs).map(Number);
    socket.emit("sync", {after_id: 0, conversation_ids: shown}, function (res) {
      if (!res.ok) return showError(res.error);
      setStatus(res.status);
      res.conversations.forEach(entry);
      syncHooks.forEach(function (fn) { fn(res); });
      res.messages.forEach(function (m) { seen[m.id] = false; });
      res.messages.forEach(function (m) {
        var e = convs[m.conversation_id];
        if (e && !e.messages.some(function (x) { return x.id === m.id; })) { e.messages.push(m); }
        seen[m.id] = true; if (m.id > lastId) lastId = m.id;
      });
      renderList();
      if (!current && Object.keys(convs).length) select(Object.keys(convs).sort(function (a, b) { return b - a; })[0]);
      else renderMessages();
      Object.keys(pending).forEach(sendPending);
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
    pending[cid] = {conversation_id: Number(current), text: text, extra: sendExtras()};
    input.value = "";
    sendPending(cid);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  // The extension point for the workbench's other panels (status, transfer, rating, 留言池 …):
  // each is its own script, loaded after this one, that uses only what is exported here.
  window.KefuWB = {
    T: T, socket: socket, convs: convs, entry: entry, select: select, renderList: renderList,
    renderMessages: renderMessages, addMessage: addMessage, showError: showError, uuid: uuid,
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
        current = null; msgsEl.innerHTML = ""; titleEl.textContent = "";
        input.disabled = sendBtn.disabled = closeBtn.disabled = true;
      }
      renderList();
    },
    actions: document.getElementById("chat-actions")
  };
})();
