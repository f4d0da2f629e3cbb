/* Workbench: transfer a chat (转接), invite a colleague (邀请协助), leave a chat one helps with. */
(function () {
  "use strict";
  var WB = window.KefuWB, T = window.KEFU_TRANSFER_I18N;
  if (!WB || !T) return;
  var socket = WB.socket, me = T.me;
  var dialog = document.getElementById("transfer-dialog");
  var form = document.getElementById("transfer-form");
  var titleEl = document.getElementById("transfer-title");
  var groupsBox = document.getElementById("transfer-groups-box");
  var groupsEl = document.getElementById("transfer-groups");
  var agentsEl = document.getElementById("transfer-agents");
  var reasonBox = document.getElementById("transfer-reason-box");
  var reasonEl = document.getElementById("transfer-reason");
  var errEl = document.getElementById("transfer-error");
  var noteEl = document.getElementById("transfer-note");
  var notes = {};   // conversation id -> text shown under the chat header
  var mode = "transfer", clientId = null, convId = null, done = null;

  function fmt(s, vals) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vals[k]; }); }
  function button(id, text) {
    var b = document.createElement("button");
    b.type = "button"; b.id = id; b.textContent = text; b.hidden = true;
    WB.actions.appendChild(b);
    return b;
  }
  var transferBtn = button("transfer-open", T.transfer);
  var inviteBtn = button("invite-open", T.invite);
  var leaveBtn = button("transfer-leave", T.leave);
  var header = document.getElementById("chat-head");
  header.parentNode.insertBefore(noteEl, header.nextSibling);

  function refresh(conv) {
    var active = conv && conv.status === "active";
    var own = active && conv.agent_id === me;
    transferBtn.hidden = inviteBtn.hidden = !own;
    leaveBtn.hidden = !(active && conv.agent_id !== me);
    if (active && conv.agent_id !== me) {
      // A helper writes but does not end the chat; its owner does.
      document.getElementById("close-conv").disabled = true;
    }
    var note = conv ? notes[conv.id] : null;
    if (!note && active && conv.agent_id !== me) note = fmt(T.assisting, {name: conv.agent_name || ""});
    noteEl.textContent = note || ""; noteEl.hidden = !note;
  }
  WB.onSelect(refresh);

  function showErr(err) { errEl.hidden = !err; errEl.textContent = err ? (err.message || String(err)) : ""; }
  function statusText(s) { return T[s] || s; }
  function option(name, value, label, detail, enabled) {
    var li = document.createElement("li");
    var lab = document.createElement("label");
    var input = document.createElement("input");
    input.type = "radio"; input.name = "transfer-target"; input.value = value; input.disabled = !enabled;
    lab.appendChild(input);
    lab.appendChild(document.createTextNode(" " + label + " "));
    var d = document.createElement("span"); d.className = "muted"; d.textContent = detail;
    lab.appendChild(d); li.appendChild(lab);
    li.dataset.name = name;
    return li;
  }
  function open(which, chosen, then) {
    var conv = chosen || WB.current();
    if (!conv) return;
    mode = which; convId = conv.id; clientId = WB.uuid(); done = then || null;
    titleEl.textContent = which === "transfer" ? T.transferTitle : T.inviteTitle;
    groupsBox.hidden = reasonBox.hidden = which !== "transfer";
    reasonEl.value = ""; showErr(null);
    groupsEl.innerHTML = agentsEl.innerHTML = "";
    socket.emit("transfer.targets", {}, function (res) {
      if (!res.ok) return showErr(res.error);
      res.groups.forEach(function (g) {
        groupsEl.appendChild(option(g.name, "group:" + g.id, g.name,
          fmt(T.groupState, {online: g.online, free: g.available}), g.available > 0));
      });
      res.agents.forEach(function (a) {
        var detail = statusText(a.status) + " · " + fmt(T.load, {active: a.active, max: a.max_concurrent});
        var ok = a.id !== conv.agent_id && (which === "transfer" ? a.available : a.status !== "offline");
        agentsEl.appendChild(option(a.name, "agent:" + a.id, a.name, detail, ok));
      });
    });
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  }
  function close() { if (dialog.close) dialog.close(); else dialog.removeAttribute("open"); }
  transferBtn.addEventListener("click", function () { open("transfer"); });
  inviteBtn.addEventListener("click", function () { open("invite"); });
  // The monitor panel transfers the chat a manager watches through the same dialog.
  window.KefuTransfer = {open: open};
  document.getElementById("transfer-cancel").addEventListener("click", close);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var picked = form.querySelector("input[name=transfer-target]:checked");
    if (!picked) return showErr({message: T.pickOne});
    var parts = picked.value.split(":"), id = Number(parts[1]);
    var body = {conversation_id: convId, client_id: clientId};
    if (mode === "invite") {
      body.agent_id = id;
      socket.emit("transfer.invite", body, function (res) {
        if (!res.ok) return showErr(res.error);
        close();
      });
      return;
    }
    body[parts[0] === "group" ? "group_id" : "agent_id"] = id;
    body.reason = reasonEl.value.trim();
    socket.emit("transfer", body, function (res) {
      if (!res.ok) return showErr(res.error);
      close(); WB.remove(convId);
      if (done) done(res);
    });
  });
  leaveBtn.addEventListener("click", function () {
    var conv = WB.current();
    if (!conv) return;
    socket.emit("transfer.leave", {conversation_id: conv.id}, function (res) {
      if (!res.ok) return WB.showError(res.error);
      WB.remove(conv.id);
    });
  });

  // This screen loses the chat: transferred on (by us, a rule or a manager) or taken over.
  socket.on("conversation.transferred", function (ev) { WB.remove(ev.conversation.id); });
  socket.on("conversation.taken_over", function (ev) {
    WB.remove(ev.conversation.id);
    WB.showError({message: document.documentElement.lang.indexOf("en") === 0 ? ev.message_en : ev.message_zh});
  });
  socket.on("conversation.transferred_in", function (ev) {
    var text = fmt(T.transferredIn, {name: ev.from_agent ? ev.from_agent.name : ""});
    if (ev.reason) text += " · " + T.reason + ": " + ev.reason;
    notes[ev.conversation_id] = text;
    var cur = WB.current();
    if (cur && cur.id === ev.conversation_id) refresh(cur);
  });
  socket.on("conversation.invited", function (ev) {
    var e = WB.entry(ev.conversation);
    (ev.messages || []).forEach(function (m) {
      if (!e.messages.some(function (x) { return x.id === m.id; })) e.messages.push(m);
    });
    e.messages.sort(function (a, b) { return a.id - b.id; });
    var cur = WB.current();
    if (!cur || cur.status !== "active") WB.select(ev.conversation.id);
    else { e.unread = e.messages.length; WB.renderList(); }
  });
  socket.on("conversation.left", function (ev) { WB.remove(ev.conversation_id); });
  socket.on("conversation.helpers", function (ev) {
    var names = ev.helpers.map(function (h) { return h.name; }).join(", ");
    notes[ev.conversation_id] = names ? fmt(T.helpers, {names: names}) : null;
    var cur = WB.current();
    if (cur && cur.id === ev.conversation_id) refresh(cur);
  });
})();
