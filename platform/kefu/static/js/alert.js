/* kefu workbench: no-reply alerts (conversation.alert, from the session rules). The agent's chat
   gets a badge with the level until they reply or it ends; supervisors also get a notice with
   the chats of colleagues that wait, and those rows are marked in the monitor list. */
(function () {
  "use strict";
  var W = window.KefuWB, T = window.KEFU_ALERT_I18N;
  if (!W || !T) return;
  var notice = document.getElementById("alert-notice");
  var head = document.querySelector(".wb-head");
  if (head) head.parentNode.insertBefore(notice, head.nextSibling);
  var alerts = {};   // own chats: conversation id -> {level, after: last message id when alerted}
  var others = {};   // supervisors: colleagues' chats -> level

  function label(level) { return T[level] || level; }
  function lastId(e) { return e.messages.length ? e.messages[e.messages.length - 1].id : 0; }
  function answered(e, a) {
    return e.conv.status !== "active" || e.messages.some(function (m) { return m.sender === "agent" && m.id > a.after; });
  }
  W.onListItem(function (li, e) {
    var a = alerts[e.conv.id];
    if (!a) return;
    if (answered(e, a)) { delete alerts[e.conv.id]; return; }
    var b = document.createElement("span");
    b.className = "conv-alert " + a.level;
    b.textContent = "⏰ " + label(a.level);
    b.title = T.noReply;
    li.classList.add("alerted");
    li.insertBefore(b, li.firstChild ? li.firstChild.nextSibling : null);
  });
  function markMonitor() {
    document.querySelectorAll("#monitor-list tr[data-id]").forEach(function (tr) {
      var level = others[tr.dataset.id];
      tr.classList.toggle("alerted", !!level);
      tr.title = level ? T.noReply + " · " + label(level) : "";
    });
  }
  function renderNotice() {
    var n = Object.keys(others).length;
    notice.hidden = !n;
    notice.textContent = "⏰ " + T.noReply + " · " + T.chats + ": " + n;
    markMonitor();
  }
  var monitorList = document.getElementById("monitor-list");
  if (monitorList) new MutationObserver(markMonitor).observe(monitorList, {childList: true});
  W.socket.on("conversation.alert", function (ev) {
    var e = W.convs[ev.conversation_id];
    if (e) {
      alerts[ev.conversation_id] = {level: ev.level, after: lastId(e)};
      W.renderList();
    }
    if (!W.mine(ev)) { others[ev.conversation_id] = ev.level; renderNotice(); }
  });
  function settle(id) { if (others[id]) { delete others[id]; renderNotice(); } }
  W.socket.on("conversation.closed", function (ev) { settle(ev.conversation.id); });
  W.socket.on("message.created", function (ev) { if (ev.message.sender === "agent") settle(ev.message.conversation_id); });
  // Clicking the notice opens the monitor (when this user has it, rows stay marked) and hides it
  // until the next alert.
  notice.addEventListener("click", function () {
    var open = document.getElementById("monitor-open");
    if (open) open.click();
    notice.hidden = true;
  });
})();
