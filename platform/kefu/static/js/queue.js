/* kefu widget, queue part (排队): the estimated wait, leaving the queue, the max-wait prompt.
   Built only on window.KefuChat; the server decides everything and acks each answer. */
(function () {
  "use strict";
  var K = window.KefuChat, Q = window.KEFU_QUEUE_I18N;
  if (!K || !Q) return;
  var panel = document.getElementById("queue-panel");
  var etaEl = document.getElementById("queue-eta");
  var prompt = document.getElementById("queue-prompt");
  var promptText = document.getElementById("queue-prompt-text");
  var busy = false;
  var conv = {id: null, eta: null, prompt: false, status: null};
  K.root.insertBefore(panel, K.list);  // under the header, above the messages

  function etaText(seconds) {
    if (seconds === null || seconds === undefined) return "";
    if (seconds < 60) return Q.eta_soon;
    return K.fmt(Q.eta_minutes, {n: Math.ceil(seconds / 60)});
  }
  function render() {
    var queued = conv.status === "queued";
    panel.hidden = !queued;
    panel.dataset.eta = queued && conv.eta !== null && conv.eta !== undefined ? String(conv.eta) : "";
    etaEl.textContent = queued ? etaText(conv.eta) : "";
    etaEl.hidden = !etaEl.textContent;
    prompt.hidden = !(queued && conv.prompt);
    if (!promptText.textContent) promptText.textContent = Q.prompt;
  }
  function update(state) {
    if (!state) return;
    if (state.id && state.id !== conv.id) { conv = {id: state.id, eta: null, prompt: false, status: null}; }
    conv.status = state.status;
    if (state.eta_seconds !== undefined) conv.eta = state.eta_seconds;
    if (state.queue_prompt !== undefined) conv.prompt = !!state.queue_prompt;
    render();
  }
  function answer(event) {
    var socket = K.socket();
    if (busy || !socket || !socket.connected || !conv.id) return;
    busy = true;
    socket.timeout(10000).emit(event, {conversation_id: conv.id}, function (err, res) {
      busy = false;
      if (err) return K.showError({message: K.T.unreachable});
      if (!res || !res.ok) return K.showError(res && res.error);
      K.showError(null);
      conv.prompt = false;  // answered: kept waiting (the clock restarted) or left
      if (event === "queue.leave" && res.changed) K.systemNote(Q.left);
      update(res.conversation);
    });
  }
  K.onState(update);
  K.onSocket(function (socket) {
    socket.on("conversation.queued", function (ev) {
      var c = ev.conversation || {};
      update({id: c.id, status: "queued", eta_seconds: ev.eta_seconds === undefined ? null : ev.eta_seconds});
    });
    socket.on("queue.timeout", function (ev) {
      if (ev.text) promptText.textContent = ev.text;
      update({id: ev.conversation_id, status: "queued", queue_prompt: true});
    });
  });
  document.getElementById("queue-leave").addEventListener("click", function () { answer("queue.leave"); });
  document.getElementById("queue-keep").addEventListener("click", function () { answer("queue.keep_waiting"); });
  document.getElementById("queue-leave-message").addEventListener("click", function () {
    answer("queue.leave_message");
  });
  if (K.state()) update(K.state());
})();
