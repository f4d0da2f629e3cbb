/* Workbench chat pane extras: typing both ways, read receipts, recall, quotes, sensitive-word flags. */
(function () {
  "use strict";
  var WB = window.KefuWB, T = window.KEFU_CHATPANE;
  if (!WB || !WB.onBubble) return;
  var socket = WB.socket;
  var marks = {};            // conversation id -> {agent_read_id, visitor_read_id}
  var recallSeconds = 120;
  var quoting = null;        // the message being quoted
  var typingEl = document.getElementById("cp-typing");
  var bar = document.getElementById("cp-quotebar");
  var barText = document.getElementById("cp-quotetext");
  var composer = document.getElementById("composer");
  composer.parentNode.insertBefore(typingEl, composer);
  composer.parentNode.insertBefore(bar, composer);

  function currentId() { var c = WB.current(); return c ? String(c.id) : null; }
  function quoteLabel(q) {
    var who = q.sender === "agent" ? T.agent : T.visitor;
    return who + ": " + (q.recalled || !q.text ? T.recalled : q.text);
  }
  function setQuote(m) {
    quoting = m;
    bar.hidden = !m;
    barText.textContent = m ? T.quoting + " " + quoteLabel({sender: m.sender, text: m.text}) : "";
    if (m) WB.input.focus();
  }
  document.getElementById("cp-quotecancel").addEventListener("click", function () { setQuote(null); });
  WB.onSend(function () {
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
  function replace(m) {
    var e = WB.convs[m.conversation_id];
    if (!e) return;
    for (var i = 0; i < e.messages.length; i++) if (e.messages[i].id === m.id) e.messages[i] = m;
    if (String(m.conversation_id) === currentId()) WB.renderMessages();
    WB.renderList();
  }
  WB.onBubble(function (li, m) {
    var p = m.payload || {};
    // System notes and offline replies to leave messages (their own quote) are not chat messages.
    if (m.sender === "system" || p.offline) return;
    var span = li.querySelector(".bubble");
    if (p.recalled) { li.classList.add("cp-recalled"); span.textContent = T.recalled; return; }
    if (p.quote && typeof p.quote === "object") {
      var q = document.createElement("span");
      q.className = "cp-quote"; q.textContent = quoteLabel(p.quote);
      span.insertBefore(q, span.firstChild);
    }
    if (p.sensitive && p.sensitive.length) {
      var f = document.createElement("span");
      f.className = "cp-flag"; f.textContent = T.flagged + " " + p.sensitive.join(", ");
      span.appendChild(f);
    }
    var meta = document.createElement("span");
    meta.className = "cp-meta";
    if (m.sender === "agent") {
      var mark = marks[m.conversation_id] || {};
      var read = document.createElement("span");
      read.className = "cp-read"; read.dataset.label = (mark.visitor_read_id || 0) >= m.id ? T.read : T.unread;
      read.setAttribute("aria-label", read.dataset.label);
      meta.appendChild(read);
      var age = Date.now() - Date.parse(m.created_at);
      if (m.sender_id === T.userId && recallSeconds > 0 && age < recallSeconds * 1000) {
        meta.appendChild(button(T.recall, "cp-recall", function () {
          socket.emit("message.recall", {message_id: m.id}, function (res) {
            if (!res.ok) return WB.showError(res.error);
            WB.showError(null); replace(res.message);
          });
        }));
      }
    }
    meta.appendChild(button(T.quote, "cp-quote-btn", function () { setQuote(m); }));
    span.appendChild(meta);
  });
  socket.on("message.recalled", function (ev) { replace(ev.message); });

  // Read receipts: the visitor's messages on screen are read; ours show 已读 once the visitor read them.
  function markRead() {
    var id = currentId();
    if (!id || document.hidden || !socket.connected) return;
    var e = WB.convs[id], top = 0;
    e.messages.forEach(function (m) { if (m.sender === "visitor" && m.id > top) top = m.id; });
    if (!top || top <= ((marks[id] || {}).agent_read_id || 0)) return;
    socket.emit("read", {conversation_id: Number(id), up_to_id: top}, function (res) {
      if (res.ok) marks[id] = {agent_read_id: res.agent_read_id, visitor_read_id: res.visitor_read_id};
    });
  }
  socket.on("message.read", function (ev) {
    marks[ev.conversation_id] = {agent_read_id: ev.agent_read_id, visitor_read_id: ev.visitor_read_id};
    if (String(ev.conversation_id) === currentId()) WB.renderMessages();
  });
  WB.onSelect(function () { setQuote(null); typingEl.hidden = true; setTimeout(markRead, 0); });
  WB.onSync(function (res) {
    var ids = (res.conversations || []).map(function (c) { return c.id; });
    socket.emit("chat.state", {conversation_ids: ids}, function (st) {
      if (!st.ok) return;
      recallSeconds = st.recall_seconds;
      Object.keys(st.marks).forEach(function (k) { marks[k] = st.marks[k]; });
      WB.renderMessages(); markRead();
    });
  });
  document.addEventListener("visibilitychange", markRead);

  // Typing: tell the visitor at most every 2 s while keys are pressed, and when we stop.
  var typingSent = 0, typingConv = null, stopTimer = null, shownTimer = null;
  function stopTyping() {
    clearTimeout(stopTimer);
    if (typingSent && typingConv) socket.emit("typing", {conversation_id: typingConv, typing: false});
    typingSent = 0;
  }
  WB.input.addEventListener("input", function () {
    var id = currentId();
    if (!id) return;
    var now = Date.now();
    if (typingConv !== Number(id)) stopTyping();
    typingConv = Number(id);
    if (now - typingSent > 2000) { typingSent = now; socket.emit("typing", {conversation_id: typingConv, typing: true}); }
    clearTimeout(stopTimer);
    stopTimer = setTimeout(stopTyping, 3000);
  });
  socket.on("typing", function (ev) {
    if (ev.sender !== "visitor" || String(ev.conversation_id) !== currentId()) return;
    typingEl.textContent = T.typing; typingEl.hidden = !ev.typing;
    clearTimeout(shownTimer);
    if (ev.typing) shownTimer = setTimeout(function () { typingEl.hidden = true; }, 6000);
  });
  socket.on("message.created", function (ev) {
    var m = ev.message;
    if (m.sender === "visitor" && String(m.conversation_id) === currentId()) { typingEl.hidden = true; setTimeout(markRead, 0); }
  });
})();
