/* Workbench: managers list live chats, watch one silently and take it over (抢接). */
(function () {
  "use strict";
  var WB = window.KefuWB, T = window.KEFU_MONITOR_I18N;
  if (!WB || !T) return;
  var socket = WB.socket;
  var dialog = document.getElementById("monitor-dialog");
  var listEl = document.getElementById("monitor-list");
  var emptyEl = document.getElementById("monitor-empty");
  var watchEl = document.getElementById("monitor-watch");
  var watchTitle = document.getElementById("monitor-watch-title");
  var msgsEl = document.getElementById("monitor-messages");
  var errEl = document.getElementById("monitor-error");
  var watching = null;  // {conversation, messages}

  var openBtn = document.createElement("button");
  openBtn.type = "button"; openBtn.id = "monitor-open"; openBtn.textContent = T.open;
  var conn = document.getElementById("conn");
  conn.parentNode.insertBefore(openBtn, conn);

  function showErr(err) { errEl.hidden = !err; errEl.textContent = err ? (err.message || String(err)) : ""; }
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); return td; }
  function load() {
    socket.emit("monitor.live", {}, function (res) {
      if (!res.ok) return showErr(res.error);
      showErr(null);
      listEl.innerHTML = "";
      emptyEl.hidden = res.conversations.length > 0;
      res.conversations.forEach(function (c) {
        var tr = document.createElement("tr");
        tr.dataset.id = c.id;
        cell(tr, c.visitor.name);
        cell(tr, c.agent_name || T.unassigned);
        cell(tr, T[c.status] || c.status);
        var b = document.createElement("button");
        b.type = "button"; b.className = "monitor-watch"; b.textContent = T.watch;
        b.addEventListener("click", function () { watch(c.id); });
        cell(tr, "").appendChild(b);
        listEl.appendChild(tr);
      });
    });
  }
  function bubble(m) {
    var li = document.createElement("li");
    li.className = "msg msg-" + m.sender;
    var span = document.createElement("span"); span.className = "bubble"; span.textContent = m.text;
    li.appendChild(span); li.dataset.id = m.id;
    msgsEl.appendChild(li);
    msgsEl.scrollTop = msgsEl.scrollHeight;
  }
  function render() {
    msgsEl.innerHTML = "";
    watching.messages.forEach(bubble);
  }
  function watch(id) {
    if (watching && watching.conversation.id !== id) socket.emit("monitor.unwatch", {conversation_id: watching.conversation.id});
    socket.emit("monitor.watch", {conversation_id: id}, function (res) {
      if (!res.ok) return showErr(res.error);
      showErr(null);
      watching = {conversation: res.conversation, messages: res.messages};
      watchTitle.textContent = res.conversation.visitor.name + " · " + (res.conversation.agent_name || T.unassigned);
      watchEl.hidden = false;
      render();
    });
  }
  function stop() {
    if (watching) socket.emit("monitor.unwatch", {conversation_id: watching.conversation.id});
    watching = null; watchEl.hidden = true; msgsEl.innerHTML = "";
  }
  socket.on("message.created", function (ev) {
    var m = ev.message;
    if (!watching || m.conversation_id !== watching.conversation.id) return;
    if (watching.messages.some(function (x) { return x.id === m.id; })) return;
    watching.messages.push(m); bubble(m);
  });
  socket.on("conversation.closed", function (ev) {
    if (watching && ev.conversation.id === watching.conversation.id) {
      watchTitle.textContent += " · " + T.ended;
    }
  });
  socket.on("connect", function () {
    if (watching) watch(watching.conversation.id);  // a new socket: be a watcher again
  });
  document.getElementById("monitor-takeover").addEventListener("click", function () {
    if (!watching) return;
    var w = watching;
    socket.emit("monitor.takeover", {conversation_id: w.conversation.id, client_id: WB.uuid()}, function (res) {
      if (!res.ok) return showErr(res.error);
      // The workbench may already know these messages from watching: hand them to the chat.
      var conv = w.conversation; conv.status = "active"; conv.agent_id = res.agent_id;
      var e = WB.entry(WB.convs[conv.id] ? WB.convs[conv.id].conv : conv);
      w.messages.forEach(function (m) {
        if (!e.messages.some(function (x) { return x.id === m.id; })) e.messages.push(m);
      });
      e.messages.sort(function (a, b) { return a.id - b.id; });
      watching = null; watchEl.hidden = true;
      if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
      WB.select(conv.id);
    });
  });
  document.getElementById("monitor-transfer").addEventListener("click", function () {
    if (!watching || !window.KefuTransfer) return;
    window.KefuTransfer.open("transfer", watching.conversation, function () { load(); });
  });
  document.getElementById("monitor-stop").addEventListener("click", stop);
  // Leaving the page stops watching (best effort: a dropped connection leaves the watcher row,
  // which only costs its events until the next watch or the chat's end).
  window.addEventListener("pagehide", stop);
  document.getElementById("monitor-refresh").addEventListener("click", load);
  document.getElementById("monitor-close").addEventListener("click", function () {
    stop();
    if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
  });
  openBtn.addEventListener("click", function () {
    load();
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  });
})();
