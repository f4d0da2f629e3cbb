/* Widget chat pane extras: typing both ways, read receipts, recall, quotes. */
(function () {
  "use strict";
  var C = window.KefuChat, T = window.KEFU_CHATPANE;
  if (!C || !C.onSend) return;
  var msgs = {};             // message id -> message
  var marks = {};            // conversation id -> {agent_read_id, visitor_read_id}
  var recallSeconds = 120;
  var quoting = null;
  var typingEl = document.getElementById("cp-typing");
  var bar = document.getElementById("cp-quotebar");
  var barText = document.getElementById("cp-quotetext");
  var composer = document.getElementById("composer");
  composer.parentNode.insertBefore(typingEl, composer);
  composer.parentNode.insertBefore(bar, composer);

  function quoteLabel(q) {
    var who = q.sender === "visitor" ? T.you : T.agent;
    return who + ": " + (q.recalled || !q.text ? T.recalled : q.text);
  }
  function setQuote(m) {
    quoting = m;
    bar.hidden = !m;
    barText.textContent = m ? T.quoting + " " + quoteLabel({sender: m.sender, text: m.text}) : "";
    if (m) C.input.focus();
  }
  document.getElementById("cp-quotecancel").addEventListener("click", function () { setQuote(null); });
  C.onSend(function () {
    var extra = quoting ? {reply_to: quoting.id} : {};
    setQuote(null);
    stopTyping();  // the message itself ends this burst of typing
    return extra;
  });
  function button(label, cls, onclick) {
    var b = document.createElement("button");
    // Labels are CSS-generated (data-label): the bubble's text stays the message's own text.
    b.type = "button"; b.className = cls; b.dataset.label = label; b.title = label; b.onclick = onclick;
    b.setAttribute("aria-label", label);
    return b;
  }
  function decorate(li, m, again) {
    var p = m.payload || {};
    // System notes and offline replies to leave messages (their own quote, leave.js) are not chat messages.
    if (!li || m.sender === "system" || p.offline) return;
    var span = li.querySelector(".bubble");
    if (again) span.textContent = m.text;
    li.classList.remove("cp-recalled");
    if (p.recalled) { li.classList.add("cp-recalled"); span.textContent = T.recalled; return; }
    if (p.quote && typeof p.quote === "object") {
      var q = document.createElement("span");
      q.className = "cp-quote"; q.textContent = quoteLabel(p.quote);
      span.insertBefore(q, span.firstChild);
    }
    var meta = document.createElement("span");
    meta.className = "cp-meta";
    if (m.sender === "visitor") {
      var read = document.createElement("span");
      read.className = "cp-read";
      read.dataset.label = ((marks[m.conversation_id] || {}).agent_read_id || 0) >= m.id ? T.read : T.unread;
      read.setAttribute("aria-label", read.dataset.label);
      meta.appendChild(read);
      if (recallSeconds > 0 && Date.now() - Date.parse(m.created_at) < recallSeconds * 1000) {
        meta.appendChild(button(T.recall, "cp-recall", function () {
          C.socket().emit("message.recall", {message_id: m.id}, function (res) {
            if (!res.ok) return C.showError(res.error);
            C.showError(null); update(res.message);
          });
        }));
      }
    }
    meta.appendChild(button(T.quote, "cp-quote-btn", function () { setQuote(m); }));
    span.appendChild(meta);
  }
  function liOf(id) { return C.list.querySelector('li[data-id="' + Number(id) + '"]'); }
  function update(m) { msgs[m.id] = m; decorate(liOf(m.id), m, true); }
  function redrawAll() { Object.keys(msgs).forEach(function (id) { decorate(liOf(id), msgs[id], true); }); }
  C.onMessage(function (m, li) {
    msgs[m.id] = m; decorate(li, m);
    if (m.sender === "agent") { typingEl.hidden = true; setTimeout(markRead, 0); }
  });

  // Read receipts: the agent's messages on screen are read; ours show 已读 once the agent read them.
  function markRead() {
    var s = C.socket();
    if (!s || !s.connected || document.hidden) return;
    var top = null;
    Object.keys(msgs).forEach(function (id) {
      var m = msgs[id];
      if (m.sender === "agent" && (!top || m.id > top.id)) top = m;
    });
    if (!top || top.id <= ((marks[top.conversation_id] || {}).visitor_read_id || 0)) return;
    s.emit("read", {conversation_id: top.conversation_id, up_to_id: top.id}, function (res) {
      if (res && res.ok) marks[top.conversation_id] = {agent_read_id: res.agent_read_id, visitor_read_id: res.visitor_read_id};
    });
  }
  document.addEventListener("visibilitychange", markRead);
  var shownTimer = null;
  C.onSocket(function (socket) {
    socket.on("connect", function () {
      socket.emit("chat.state", {}, function (st) {
        if (!st || !st.ok) return;
        recallSeconds = st.recall_seconds;
        Object.keys(st.marks).forEach(function (k) { marks[k] = st.marks[k]; });
        redrawAll(); markRead();
      });
    });
    socket.on("message.read", function (ev) {
      marks[ev.conversation_id] = {agent_read_id: ev.agent_read_id, visitor_read_id: ev.visitor_read_id};
      redrawAll();
    });
    socket.on("message.recalled", function (ev) { update(ev.message); });
    socket.on("typing", function (ev) {
      if (ev.sender !== "agent") return;
      typingEl.textContent = T.typing; typingEl.hidden = !ev.typing;
      clearTimeout(shownTimer);
      if (ev.typing) shownTimer = setTimeout(function () { typingEl.hidden = true; }, 6000);
    });
  });

  // Typing: tell the agent at most every 2 s while keys are pressed, and when we stop.
  var typingSent = 0, stopTimer = null;
  function stopTyping() {
    clearTimeout(stopTimer);
    var s = C.socket();
    if (typingSent && s && s.connected) s.emit("typing", {typing: false});
    typingSent = 0;
  }
  C.input.addEventListener("input", function () {
    var s = C.socket();
    if (!s || !s.connected) return;
    var now = Date.now();
    if (now - typingSent > 2000) { typingSent = now; s.emit("typing", {typing: true}); }
    clearTimeout(stopTimer);
    stopTimer = setTimeout(stopTyping, 3000);
  });
})();
