/* kefu widget: the visitor ends the chat (after a confirm) and starts a new one after any end. */
(function () {
  "use strict";
  var C = window.KefuChat, I = window.KEFU_END_I18N;
  if (!C || !I) return;
  var bar = document.getElementById("end-bar");
  var endBtn = document.getElementById("end-chat");
  var confirmBox = document.getElementById("end-confirm");
  var yes = document.getElementById("end-yes");
  var no = document.getElementById("end-no");
  var newBtn = document.getElementById("new-chat");
  var stateEl = document.getElementById("chat-state");
  var input = document.getElementById("text");
  var head = C.root.querySelector(".chat-head");
  if (head) head.appendChild(bar);

  function isOpen(st) { return !!st && (st.status === "queued" || st.status === "active" || st.status === "robot"); }
  function show(st) {
    var open = isOpen(st);
    endBtn.hidden = !open || !confirmBox.hidden;
    if (!open) confirmBox.hidden = true;
    newBtn.hidden = !(st && st.status === "closed");
  }
  C.onState(show);
  show(C.state());

  endBtn.addEventListener("click", function () { confirmBox.hidden = false; endBtn.hidden = true; });
  no.addEventListener("click", function () { confirmBox.hidden = true; show(C.state()); });
  yes.addEventListener("click", function () {
    var socket = C.socket(), st = C.state();
    if (!socket || !socket.connected || !isOpen(st)) return;
    yes.disabled = true;
    socket.emit("end", {conversation_id: st.id}, function (res) {
      yes.disabled = false;
      confirmBox.hidden = true;
      if (!res || !res.ok) { show(C.state()); return C.showError(res && res.error); }
      C.showError(null);
      // The closed event normally arrives first; the ack also says it, in case it got lost.
      if (C.state() && C.state().status !== "closed") C.resync();
    });
  });
  // 重建会话: the next message opens a new conversation; this only invites the visitor to write.
  newBtn.addEventListener("click", function () {
    newBtn.hidden = true;
    C.systemNote(I.newHint);
    stateEl.textContent = I.ready;
    C.scrollDown();
    input.focus();
  });
})();
