/* kefu workbench status switcher: 在线 / 忙碌 (with busy reasons) / 离线, approval requests, notices.
   It takes over the header's <select id="status">: busy reasons become options "busy:<id>", and a
   change is handled here (with a reason form when changes need approval) instead of workbench.js. */
(function () {
  "use strict";
  var WB = window.KefuWB, T = window.KEFU_STATUS_I18N;
  if (!WB || !T) return;
  var socket = WB.socket;
  var choice = document.getElementById("status");
  var box = document.getElementById("status-box");
  var dot = document.getElementById("status-dot");
  var reqForm = document.getElementById("status-request");
  var reqReason = document.getElementById("status-reason");
  var reqCancel = document.getElementById("status-request-cancel");
  var pendingEl = document.getElementById("status-pending");
  var pendingText = document.getElementById("status-pending-text");
  var withdrawBtn = document.getElementById("status-withdraw");
  var notice = document.getElementById("status-notice");
  var approvalsEl = document.getElementById("status-approvals");
  var others = {};  // supervisors: each colleague's pending request heard live, by agent id
  // asking: the option chosen while its approval reason is being typed (null otherwise).
  var state = {status: T.initial || "offline", busy_reason_id: null, approval: false, reasons: [], pending: null,
               asking: null};
  if (!choice) return;

  var label = choice.closest("label") || choice;
  label.parentNode.insertBefore(box, label.nextSibling);
  box.hidden = false;
  var head = document.querySelector(".wb-head");
  if (head) head.parentNode.insertBefore(notice, head.nextSibling);

  function key(status, reasonId) { return status === "busy" && reasonId ? "busy:" + reasonId : status; }
  function parse(value) {
    var parts = String(value).split(":");
    return {status: parts[0], busy_reason_id: parts[1] ? Number(parts[1]) : null};
  }
  function reasonLabel(id) {
    for (var i = 0; i < state.reasons.length; i++) if (state.reasons[i].id === id) return state.reasons[i].label;
    return "";
  }
  function text(status, reasonId) {
    var r = status === "busy" ? reasonLabel(reasonId) : "";
    return (T[status] || status) + (r ? " · " + r : "");
  }
  function option(value, label) {
    var o = document.createElement("option"); o.value = value; o.textContent = label; return o;
  }
  function render() {
    choice.innerHTML = "";
    choice.appendChild(option("online", T.online));
    choice.appendChild(option("busy", T.busy));
    state.reasons.forEach(function (r) { choice.appendChild(option("busy:" + r.id, T.busy + " · " + r.label)); });
    choice.appendChild(option("offline", T.offline));
    var current = state.asking || key(state.status, state.busy_reason_id);
    if (!Array.prototype.some.call(choice.options, function (o) { return o.value === current; })) {
      choice.appendChild(option(current, text(state.status, state.busy_reason_id)));
    }
    choice.value = current;
    choice.dataset.saved = state.status;  // what workbench.js (and its tests) read back
    choice.dataset.reason = state.busy_reason_id || "";
    dot.className = "status-dot " + state.status;
    if (state.pending) {
      pendingText.textContent = T.pending + " · " + text(state.pending.status, state.pending.busy_reason_id);
      pendingEl.hidden = false;
    } else {
      pendingEl.hidden = true;
    }
    reqForm.hidden = !state.asking;
  }
  function renderApprovals() {
    var n = Object.keys(others).length;
    approvalsEl.hidden = !n;
    approvalsEl.textContent = T.approvals + " · " + n;
  }
  function showNotice(message) {
    notice.hidden = !message;
    notice.textContent = message || "";
  }
  function apply(res) {
    if (!res.ok) { render(); return WB.showError(res.error); }
    WB.showError(null);
    state.status = res.status; state.busy_reason_id = res.busy_reason_id;
    state.pending = res.pending || null;
    render();
  }
  function send(wanted, reason) {
    var data = {status: wanted.status, busy_reason_id: wanted.busy_reason_id};
    if (reason) data.reason = reason;
    socket.emit("status", data, function (res) {
      // Only the answer to this request closes its form: an older answer may arrive meanwhile.
      if (res.ok && reason) state.asking = null;
      apply(res);
    });
  }
  function load() {
    socket.emit("status_state", {}, function (res) {
      if (!res.ok) return WB.showError(res.error);
      state.status = res.status; state.busy_reason_id = res.busy_reason_id;
      state.approval = res.approval; state.reasons = res.reasons; state.pending = res.pending;
      render();
    });
  }

  // Capture on the document runs before workbench.js's own listener on the select: take it over.
  document.addEventListener("change", function (e) {
    if (e.target !== choice) return;
    e.stopPropagation();
    var wanted = parse(choice.value);
    showNotice(null);
    // With approval on, leaving 在线 (or another busy reason) needs a reason first; going online
    // never waits (presence/actions.py needs_approval decides the same).
    if (state.approval && wanted.status !== "online" &&
        choice.value !== key(state.status, state.busy_reason_id)) {
      state.asking = choice.value;
      reqReason.value = wanted.busy_reason_id ? reasonLabel(wanted.busy_reason_id) : "";
      render();
      reqReason.focus();
      return;
    }
    state.asking = null;
    send(wanted, "");
  }, true);
  reqForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var reason = reqReason.value.trim();
    if (!reason) return WB.showError({message: T.reasonRequired});
    send(parse(state.asking || choice.value), reason);
  });
  reqCancel.addEventListener("click", function () { state.asking = null; render(); });
  withdrawBtn.addEventListener("click", function () {
    socket.emit("status_cancel", {}, function (res) {
      if (!res.ok) return WB.showError(res.error);
      state.pending = null; render();
    });
  });

  // workbench.js's sync answer sets the bare status on the select: put the busy reason back.
  new MutationObserver(function () {
    var want = state.asking || key(state.status, state.busy_reason_id);
    if (choice.value !== want && choice.dataset.saved === state.status) render();
  }).observe(choice, {attributes: true, attributeFilter: ["data-saved"]});
  socket.on("connect", load);
  if (socket.connected) load();
  // workbench.js resets the select to the bare status on these; render after it.
  socket.on("agent.status", function (ev) {
    if (!WB.mine(ev)) return;  // a colleague's change, heard by supervisors
    state.status = ev.status; state.busy_reason_id = ev.busy_reason_id || null;
    render();
  });
  socket.on("agent.status_request", function (ev) {
    var req = ev.request;
    if (!WB.mine(req)) {  // a colleague's request: supervisors count what waits for a decision
      if (req.state === "pending") others[req.agent_id] = req;
      else if (others[req.agent_id] && others[req.agent_id].id === req.id) delete others[req.agent_id];
      return renderApprovals();
    }
    if (req.state === "pending") state.pending = req;
    else if (state.pending && state.pending.id === req.id) state.pending = null;
    if (req.state === "rejected") showNotice(T.rejected);
    if (req.state === "approved") showNotice(T.approved);
    render();
  });
  socket.on("agent.forced_offline", function () {
    state.pending = null; state.asking = null;
    showNotice(T.forced);
    render();
  });
  render();
})();
