/* kefu visitor chat page: open a session, talk over the /visitor socket, never lose a message. */
(function () {
  "use strict";
  var T = window.KEFU_I18N;
  var root = document.getElementById("chat");
  var key = root.dataset.key;
  var list = document.getElementById("messages");
  var stateEl = document.getElementById("chat-state");
  var errEl = document.getElementById("chat-error");
  var emptyEl = document.getElementById("chat-empty");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var params = new URLSearchParams(location.search);
  // The embed snippet hands over the visitor's token in the fragment. Only a framed page takes
  // it: a link to the chat page carrying someone else's token must not make the reader chat as
  // that visitor (whose owner could then read along).
  var framed = window.top !== window.self;
  var hashToken = framed ? new URLSearchParams(location.hash.slice(1)).get("token") : null;
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  var store = storage();
  var seen = {};          // message id -> true
  var pending = {};       // client id -> {text, el}
  var ended = {};         // conversation id -> true once its end was shown
  var lastId = 0;
  var socket = null;
  var convState = null;   // last known {id, status, queue_position, agent_name}
  var queueTimer = null;
  var stateEvents = 0;    // conversation events seen; a sync answer older than one is stale

  // localStorage throws in a third-party frame when the browser blocks its storage: the chat
  // must still work, so fall back to memory (the embedding page then keeps the visitor's token).
  function storage() {
    try {
      var s = window.localStorage, probe = "kefu_probe";
      s.setItem(probe, "1"); s.removeItem(probe);
      return s;
    } catch (e) {
      var mem = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(mem, k) ? mem[k] : null; },
        setItem: function (k, v) { mem[k] = String(v); },
        removeItem: function (k) { delete mem[k]; }
      };
    }
  }
  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; errEl.textContent = ""; return; }
    errEl.textContent = err.message || String(err);
    errEl.hidden = false;
  }
  // Leave-message (留言) texts: the page may supply them in KEFU_I18N; these are the defaults
  // (the form itself is leave.js).
  var LM = {
    zh: {lm_title: "留言", lm_submit: "提交留言", lm_sending: "正在提交…",
         lm_done: "您的留言已经提交成功，此会话已结束。", lm_received: "已收到您的留言，我们会尽快回复。"},
    en: {lm_title: "Leave a message", lm_submit: "Send message", lm_sending: "Sending…",
         lm_done: "Your message was submitted; this chat has ended.",
         lm_received: "We received your message and will reply soon."}
  };
  function lt(k) { return T[k] || (LM[T.lang === "en" ? "en" : "zh"])[k]; }
  function setConn(state) {
    root.dataset.conn = state;
    if (state !== "online") stateEl.textContent = state === "offline" ? T.offline : T.connecting;
    else if (convState) setState(convState);
    else stateEl.textContent = T.online;
  }
  // Follow new messages unless the visitor scrolled up to read; always after their own.
  function nearBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 40; }
  function scrollDown() { list.scrollTop = list.scrollHeight; }
  function refreshEmpty() { if (emptyEl) emptyEl.hidden = list.children.length > 0; }
  var greeted = false;
  function systemNote(text) {
    var stick = nearBottom();
    var li = document.createElement("li");
    li.className = "msg msg-system";
    var span = document.createElement("span");
    span.className = "bubble";
    span.textContent = text;
    li.appendChild(span);
    list.appendChild(li);
    refreshEmpty();
    if (stick) scrollDown();
  }
  var stateHooks = [], socketHooks = [], messageHooks = [], sendHooks = [], sessionHooks = [],
    refusedHooks = [];
  function sendExtras() {
    var x = {};
    sendHooks.forEach(function (fn) { var more = fn() || {}; Object.keys(more).forEach(function (k) { x[k] = more[k]; }); });
    return x;
  }
  // Why the chat ended (Sobot's wording), in the visitor's language: the texts come with the state.
  function endText(conv) {
    var t = conv.end_text && conv.end_text.visitor;
    return t ? t[T.lang === "en" ? "en" : "zh"] : "";
  }
  function setState(conv) {
    if (!conv) return;
    convState = conv;
    stateHooks.forEach(function (fn) { fn(conv); });
    root.dataset.status = conv.status;
    clearInterval(queueTimer); queueTimer = null;
    if (conv.status === "queued") {
      stateEl.textContent = conv.queue_position ? fmt(T.queued, {n: conv.queue_position}) : T.waiting;
      // The place in the queue moves as others are served: ask again now and then.
      queueTimer = setInterval(resync, 15000);
    } else if (conv.status === "active") {
      stateEl.textContent = fmt(T.serving, {name: conv.agent_name || T.agent});
    } else if (conv.status === "closed") {
      stateEl.textContent = T.closed;
      if (conv.id && !ended[conv.id]) { ended[conv.id] = true; systemNote(endText(conv) || T.closed); }
    }
  }
  // Keep bubbles in message-id order; unconfirmed (pending) ones stay last.
  function place(li, id) {
    var before = null;
    for (var i = 0; i < list.children.length; i++) {
      var c = list.children[i];
      if (c === li || c.classList.contains("msg-system")) continue;
      if (!c.dataset.id || Number(c.dataset.id) > id) { before = c; break; }
    }
    if (before) list.insertBefore(li, before); else list.appendChild(li);
  }
  function bubble(text, who, id) {
    var stick = who === "visitor" || nearBottom();
    var li = document.createElement("li");
    li.className = "msg msg-" + who;
    var span = document.createElement("span");
    span.className = "bubble";
    span.textContent = text;
    li.appendChild(span);
    if (id) { li.dataset.id = id; place(li, id); } else list.appendChild(li);
    refreshEmpty();
    if (stick) scrollDown();
    return li;
  }
  function add(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    if (m.id > lastId) lastId = m.id;
    var p = m.client_id && pending[m.client_id];
    if (p) {
      delete pending[m.client_id];
      p.el.classList.remove("pending");
      p.el.dataset.id = m.id;
      var stick = nearBottom();
      place(p.el, m.id);
      if (stick) scrollDown();
      messageHooks.forEach(function (fn) { fn(m, p.el); });
      return;
    }
    var li = bubble(m.text, m.sender, m.id);
    messageHooks.forEach(function (fn) { fn(m, li); });
  }
  // Older pages (history): scrolling up (or the wheel at the top of a short list) brings the
  // visitor's earlier messages, across their earlier chats on this channel, a separator above each.
  var HX = {zh: {earlier: "历史会话"}, en: {earlier: "Earlier conversation"}};
  var moreOlder = true, loadingOlder = false;
  function when(iso) {
    return iso ? new Date(iso).toLocaleString(T.lang === "en" ? "en-GB" : "zh-CN", {hour12: false}) : "";
  }
  function separate(h) {
    var first = list.querySelector('li[data-conversation="' + h.id + '"]');
    var old = list.querySelector('li.chat-sep[data-sep="' + h.id + '"]');
    if (old) old.parentNode.removeChild(old);
    if (!first) return;
    var span = [when(h.created_at), when(h.closed_at)].filter(Boolean).join(" – ");
    var li = document.createElement("li");
    li.className = "msg msg-system chat-sep"; li.dataset.sep = h.id;
    var b = document.createElement("span");
    b.className = "bubble";
    b.textContent = [T.earlierConversation || HX[T.lang === "en" ? "en" : "zh"].earlier, span, h.agent_name,
                     endText(h)].filter(Boolean).join(" · ");
    li.appendChild(b);
    list.insertBefore(li, first);
  }
  function loadOlder() {
    if (!moreOlder || loadingOlder || !socket || !socket.connected) return;
    var ids = Object.keys(seen).map(Number);
    loadingOlder = true;
    socket.emit("history", {before_id: ids.length ? Math.min.apply(null, ids) : null, limit: 50}, function (res) {
      loadingOlder = false;
      if (!res || !res.ok) return;
      moreOlder = res.has_more;
      var height = list.scrollHeight;
      res.messages.forEach(function (m) {
        if (seen[m.id]) return;
        seen[m.id] = true;
        var li = document.createElement("li");
        li.className = "msg msg-" + m.sender; li.dataset.id = m.id; li.dataset.conversation = m.conversation_id;
        var span = document.createElement("span");
        span.className = "bubble"; span.textContent = m.text;
        li.appendChild(span);
        place(li, m.id);
        messageHooks.forEach(function (fn) { fn(m, li); });
      });
      var current = convState && convState.id;
      (res.conversations || []).forEach(function (h) { if (h.id !== current) separate(h); });
      refreshEmpty();
      list.scrollTop += list.scrollHeight - height;  // the message being read stays where it was
    });
  }
  list.addEventListener("scroll", function () { if (list.scrollTop < 60) loadOlder(); });
  list.addEventListener("wheel", function (e) { if (e.deltaY < 0 && list.scrollTop <= 0) loadOlder(); });
  function send(clientId) {
    var p = pending[clientId];
    if (!p || !socket || !socket.connected) return;  // resent on reconnect
    var body = {text: p.text, client_id: clientId};
    Object.keys(p.extra || {}).forEach(function (k) { body[k] = p.extra[k]; });
    socket.timeout(10000).emit("message", body, function (err, res) {
      if (err) return;  // no answer: retried on reconnect with the same client id
      if (res && res.ok) { add(res.message); showError(null); }
      else if (res && pending[clientId]) {
        delete pending[clientId];
        p.el.classList.remove("pending");
        p.el.classList.add("failed");
        if (res.error) p.el.title = res.error.message || "";
        if (!input.value) input.value = p.text;  // let the visitor fix it and send again
        showError(res.error);
        refusedHooks.forEach(function (fn) { fn(res.error || {}); });  // prechat.js: the form first
      }
    });
  }
  function eventState(conv) { stateEvents++; setState(conv); }
  function resync(then) {
    if (!socket || !socket.connected) return;
    var asked = stateEvents;
    socket.emit("sync", {after_id: lastId}, function (res) {
      if (!res || !res.ok) return showError(res && res.error);
      res.messages.forEach(add);
      // Handlers run concurrently on the server: an event may overtake this answer.
      if (asked === stateEvents) setState(res.conversation);
      if (typeof then === "function") then();
    });
  }
  function connect(token) {
    socket = io("/visitor", {auth: {token: token, lang: T.lang}, transports: ["websocket", "polling"]});
    socket.on("connect", function () {
      setConn("online");
      resync(function () { Object.keys(pending).forEach(send); });
    });
    socket.on("disconnect", function () { setConn("offline"); });
    socket.on("connect_error", function (err) {
      var data = err && err.data;  // absent on transport errors, which retry by themselves
      if (data && data.code === "invalid_token") { store.removeItem("kefu_token_" + key); location.reload(); }
    });
    socket.on("message.created", function (ev) { add(ev.message); });
    socket.on("conversation.queued", function (ev) {
      var conv = ev.conversation || {};
      eventState({id: conv.id, status: "queued", queue_position: ev.queue_position || conv.queue_position});
      if (!ev.queue_position && !conv.queue_position) resync();  // the event does not say where
    });
    socket.on("conversation.assigned", function (ev) {
      var conv = ev.conversation || {};
      eventState({id: conv.id, status: "active", agent_name: (ev.agent && ev.agent.name) || conv.agent_name});
    });
    socket.on("conversation.closed", function (ev) {
      var c = ev.conversation || {};
      eventState({id: c.id, status: "closed", end_reason: c.end_reason, end_text: c.end_text});
    });
    socket.on("leave_message.offer", function (ev) { window.KefuChat.leaveForm(ev); });
    socketHooks.forEach(function (fn) { fn(socket); });
    socket.on("leave_message.received", function (ev) { systemNote(ev.auto_reply || lt("lm_received")); });
  }
  // In the embed frame, give the token to the embedding page (only to the page that we were told
  // embeds us) so the visitor stays the same across its pages even without frame storage.
  function tellHost(token) {
    if (!framed || !params.get("embed")) return;
    var origin;
    try { origin = new URL(params.get("page") || "").origin; } catch (e) { return; }
    if (origin && origin !== "null") window.parent.postMessage({type: "kefu:token", token: token}, origin);
  }
  function open(retry) {
    var body = {
      token: store.getItem("kefu_token_" + key) || hashToken,
      page_url: params.get("page") || location.href, referrer: params.get("ref") || document.referrer,
      language: navigator.language || ""
    };
    if (window.KefuIdentity && window.KefuIdentity.get()) body.identity = window.KefuIdentity.get();  // identity.js
    fetch("/api/widget/" + encodeURIComponent(key) + "/session", {
      method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        var status = res[0], data = res[1];
        if (status === 401 && !retry) {
          store.removeItem("kefu_token_" + key); hashToken = null; return open(true);
        }
        if (!data.ok && window.KefuIdentity && window.KefuIdentity.refused(data.error)) return open(retry);
        if (!data.ok) return showError(data.error);
        showError(null);
        // The reception plan (rules) greets this visitor; shown once per page, as text only.
        var rec = data.reception || {};
        if (!greeted && (rec.announcement || rec.greeting)) {
          greeted = true;
          if (rec.announcement) systemNote(rec.announcement);
          if (rec.greeting) systemNote(rec.greeting);
        }
        store.setItem("kefu_token_" + key, data.token);
        sessionHooks.forEach(function (fn) { fn(data); });  // look, pre-chat form (widget_look.js, prechat.js)
        tellHost(data.token);
        data.messages.forEach(add);
        setState(data.conversation);
        connect(data.token);
      }).catch(function () {
        showError(T.unreachable);
        setTimeout(function () { open(retry); }, 3000);
      });
  }
  // The extension point for the widget's other parts (queue, rating, end of chat …): each is its
  // own script, loaded after this one, that uses only what is exported here.
  window.KefuChat = {
    T: T, root: root, list: list, systemNote: systemNote, showError: showError, uuid: uuid,
    fmt: fmt, lt: lt, resync: resync, scrollDown: scrollDown,
    socket: function () { return socket; },
    state: function () { return convState; },
    onState: function (fn) { stateHooks.push(fn); },
    onSocket: function (fn) { socketHooks.push(fn); if (socket) fn(socket); },
    onMessage: function (fn) { messageHooks.push(fn); },
    onSend: function (fn) { sendHooks.push(fn); },
    onSession: function (fn) { sessionHooks.push(fn); },
    onRefused: function (fn) { refusedHooks.push(fn); },
    // Parts that send their own messages (chatfiles: images and files) show the stored answer,
    // and authorize their HTTP calls with the visitor's token.
    add: add,
    token: function () { return store.getItem("kefu_token_" + key); },
    input: input
  };
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var id = uuid();
    pending[id] = {text: text, el: bubble(text, "visitor"), extra: sendExtras()};
    pending[id].el.classList.add("pending");
    input.value = "";
    input.focus();
    send(id);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  setConn("connecting");
  refreshEmpty();
  open(false);
})();
