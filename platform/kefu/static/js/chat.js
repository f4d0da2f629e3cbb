/* kefu visitor chat page: open a session, talk over the /visitor socket, never lose a message. */
(function () {
  "use strict";
  var T = window.KEFU_I18N;
  var root = document.getElementById("chat");
  var key = root.dataset.key;
  var list = document.getElementById("messages");
  var stateEl = document.getElementById("chat-state");
  var errEl = document.getElementById("chat-error");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var params = new URLSearchParams(location.search);
  var store = window.localStorage;
  var seen = {};          // message id -> true
  var pending = {};       // client id -> {text, el}
  var lastId = 0;
  var socket = null;

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; return; }
    errEl.textContent = err.message || String(err);
    errEl.hidden = false;
  }
  function setState(conv) {
    if (!conv) return;
    if (conv.status === "queued") stateEl.textContent = fmt(T.queued, {n: conv.queue_position || 1});
    else if (conv.status === "active") stateEl.textContent = fmt(T.serving, {name: conv.agent_name || T.agent});
    else if (conv.status === "closed") stateEl.textContent = T.closed;
  }
  function bubble(text, who, id) {
    var li = document.createElement("li");
    li.className = "msg msg-" + who;
    if (id) li.dataset.id = id;
    var span = document.createElement("span");
    span.className = "bubble";
    span.textContent = text;
    li.appendChild(span);
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }
  function add(m) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    if (m.id > lastId) lastId = m.id;
    var p = m.client_id && pending[m.client_id];
    if (p) { p.el.classList.remove("pending"); p.el.dataset.id = m.id; delete pending[m.client_id]; return; }
    bubble(m.text, m.sender, m.id);
  }
  function send(clientId) {
    var p = pending[clientId];
    if (!p || !socket || !socket.connected) return;  // resent on reconnect
    socket.timeout(10000).emit("message", {text: p.text, client_id: clientId}, function (err, res) {
      if (err) return;  // no answer: retried on reconnect with the same client id
      if (res && res.ok) { add(res.message); showError(null); }
      else if (res) { p.el.classList.add("failed"); delete pending[clientId]; showError(res.error); }
    });
  }
  function connect(token) {
    socket = io("/visitor", {auth: {token: token, lang: T.lang}, transports: ["websocket", "polling"]});
    socket.on("connect", function () {
      stateEl.textContent = T.online;
      socket.emit("sync", {after_id: lastId}, function (res) {
        if (!res || !res.ok) return showError(res && res.error);
        res.messages.forEach(add);
        setState(res.conversation);
        Object.keys(pending).forEach(send);
      });
    });
    socket.on("disconnect", function () { stateEl.textContent = T.offline; });
    socket.on("connect_error", function (err) {
      var data = err && err.data;  // absent on transport errors, which retry by themselves
      if (data && data.code === "invalid_token") { store.removeItem("kefu_token_" + key); location.reload(); }
    });
    socket.on("message.created", function (ev) { add(ev.message); });
    socket.on("conversation.queued", function (ev) { setState({status: "queued", queue_position: 1}); });
    socket.on("conversation.assigned", function (ev) {
      setState({status: "active", agent_name: ev.agent && ev.agent.name});
    });
    socket.on("conversation.closed", function () { setState({status: "closed"}); });
  }
  function open(retry) {
    var body = {
      token: store.getItem("kefu_token_" + key), uid: store.getItem("kefu_uid_" + key),
      page_url: params.get("page") || location.href, referrer: params.get("ref") || document.referrer,
      language: navigator.language || ""
    };
    fetch("/api/widget/" + encodeURIComponent(key) + "/session", {
      method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        var status = res[0], data = res[1];
        if (status === 401 && !retry) { store.removeItem("kefu_token_" + key); return open(true); }
        if (!data.ok) return showError(data.error);
        store.setItem("kefu_token_" + key, data.token);
        store.setItem("kefu_uid_" + key, data.uid);
        data.messages.forEach(add);
        setState(data.conversation);
        connect(data.token);
      }).catch(function (e) { showError(e); setTimeout(function () { open(retry); }, 3000); });
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var id = uuid();
    pending[id] = {text: text, el: bubble(text, "visitor")};
    pending[id].el.classList.add("pending");
    input.value = "";
    send(id);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  open(false);
})();
