/* kefu workbench: the 留言池 — tabs by status, mine / my groups / pool, claim, status, assign, and
   replies that reach the visitor's chat as offline messages. */
(function () {
  "use strict";
  var W = window.KefuWB;
  var root = document.getElementById("pool");
  if (!W || !root) return;
  var P = window.KEFU_POOL_I18N || {};
  var csrf = root.dataset.csrf;
  var listEl = document.getElementById("pool-list");
  var emptyEl = document.getElementById("pool-empty");
  var errEl = document.getElementById("pool-error");
  var badge = document.getElementById("pool-badge");
  var state = {status: "new", scope: "mine"};
  var targets = {agents: [], groups: []};
  var en = (W.T.lang || document.documentElement.lang || "").indexOf("en") === 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function api(path, body) {
    var opts = {headers: {"Accept": "application/json"}, credentials: "same-origin"};
    if (body) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = csrf;
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) { return r.json(); });
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; return; }
    errEl.textContent = err.message || String(err);
    errEl.hidden = false;
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
  var asked = 0;  // answers can overtake each other: only the latest request's list is drawn
  function load() {
    var mine = ++asked;
    api("/api/workbench/leave-messages?status=" + state.status + "&scope=" + state.scope).then(function (res) {
      if (mine !== asked) return;
      if (!res.ok) return showError(res.error);
      showError(null);
      render(res.leave_messages);
    });
    api("/api/workbench/leave-messages?status=new&scope=mine").then(function (res) {
      var n = res.ok ? res.leave_messages.length : 0;
      badge.textContent = n ? String(n) : "";
      badge.hidden = !n;
    });
  }
  function render(rows) {
    listEl.innerHTML = "";
    emptyEl.hidden = rows.length > 0;
    rows.forEach(function (lm) { listEl.appendChild(card(lm)); });
  }
  function act(lm, op, body) {
    return api("/api/workbench/leave-messages/" + lm.id + "/" + op, body || {}).then(function (res) {
      if (!res.ok) { showError(res.error); load(); return null; }
      showError(null);
      load();
      return res;
    });
  }
  function card(lm) {
    var li = el("li", "pool-item");
    li.dataset.id = lm.id;
    var head = el("div", "pool-head");
    head.appendChild(el("strong", "", lm.visitor_name));
    head.appendChild(el("span", "muted", " · " + when(lm.created_at) + " · " + (P["reason_" + lm.reason] || lm.reason)));
    var who = lm.agent_name ? P.assignee + lm.agent_name : (lm.skill_group_name ? P.group + lm.skill_group_name : P.pool);
    head.appendChild(el("span", "pool-who", who));
    li.appendChild(head);
    var dl = el("dl", "pool-fields");
    (lm.field_rows || []).forEach(function (f) {
      if (f.kind === "attachment") return;  // listed below as downloads
      dl.appendChild(el("dt", "", en ? f.label_en : f.label_zh));
      dl.appendChild(el("dd", "", f.value));
    });
    li.appendChild(dl);
    li.appendChild(el("p", "pool-content", lm.content));
    if ((lm.attachments || []).length) {
      var files = el("ul", "pool-files");
      lm.attachments.forEach(function (a) {
        var link = el("a", "", a.filename + " (" + Math.ceil(a.size / 1024) + " KB)");
        link.href = a.url;
        link.setAttribute("download", a.filename);
        var item = el("li");
        item.appendChild(link);
        files.appendChild(item);
      });
      li.appendChild(files);
    }
    (lm.replies || []).forEach(function (r) {
      li.appendChild(el("p", "pool-reply", (r.agent_name || "") + P.replied + r.text));
    });
    var bar = el("div", "pool-actions");
    if (!lm.agent_id) {
      var claim = el("button", "pool-claim", P.claim);
      claim.type = "button";
      claim.addEventListener("click", function () { act(lm, "claim"); });
      bar.appendChild(claim);
    }
    var status = el("select", "pool-status");
    ["new", "processing", "done"].forEach(function (s) {
      var o = el("option", "", P["status_" + s]); o.value = s; status.appendChild(o);
    });
    status.value = lm.status;
    status.addEventListener("change", function () { act(lm, "status", {status: status.value}); });
    bar.appendChild(status);
    if (targets.agents.length || targets.groups.length) bar.appendChild(assigner(lm));
    li.appendChild(bar);
    var form = el("form", "pool-reply-form");
    var text = el("textarea");
    text.rows = 2; text.maxLength = 5000; text.placeholder = P.reply_ph; text.name = "reply";
    form.appendChild(text);
    var keep = el("button", "pool-reply-keep", P.reply_keep); keep.type = "submit"; keep.value = "processing";
    var done = el("button", "pool-reply-done", P.reply_done); done.type = "submit"; done.value = "done";
    form.appendChild(keep); form.appendChild(done);
    var clientId = W.uuid();  // the same id if the agent clicks again: one reply
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = text.value.trim();
      if (!value) return;
      var to = (e.submitter && e.submitter.value) || "done";
      keep.disabled = done.disabled = true;
      act(lm, "reply", {text: value, client_id: clientId, status: to}).then(function (res) {
        keep.disabled = done.disabled = false;
        if (res) { text.value = ""; clientId = W.uuid(); }
      });
    });
    li.appendChild(form);
    return li;
  }
  function assigner(lm) {
    var sel = el("select", "pool-assign");
    var first = el("option", "", P.assign); first.value = ""; sel.appendChild(first);
    var pool = el("option", "", P.to_pool); pool.value = "pool"; sel.appendChild(pool);
    targets.agents.forEach(function (a) {
      var o = el("option", "", P.assignee + a.name); o.value = "a" + a.id; sel.appendChild(o);
    });
    targets.groups.forEach(function (g) {
      var o = el("option", "", P.group + g.name); o.value = "g" + g.id; sel.appendChild(o);
    });
    sel.addEventListener("change", function () {
      var v = sel.value;
      if (!v) return;
      var body = v === "pool" ? {} : (v[0] === "a" ? {agent_id: Number(v.slice(1))} : {group_id: Number(v.slice(1))});
      act(lm, "assign", body);
    });
    return sel;
  }

  root.querySelectorAll("[data-status]").forEach(function (b) {
    b.addEventListener("click", function () {
      state.status = b.dataset.status;
      root.querySelectorAll("[data-status]").forEach(function (x) { x.classList.toggle("on", x === b); });
      load();
    });
  });
  document.getElementById("pool-scope").addEventListener("change", function (e) {
    state.scope = e.target.value; load();
  });
  var toggle = document.getElementById("pool-toggle");
  var head = document.querySelector(".wb-head");
  // Before the logout form when it sits directly in the header; other panels add to it too.
  var logout = head && head.querySelector(":scope > form");
  if (logout) head.insertBefore(toggle, logout); else if (head) head.appendChild(toggle);
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    root.hidden = !root.hidden;
    if (!root.hidden) { toggle.classList.remove("pool-fresh"); load(); }
  });
  document.getElementById("pool-close").addEventListener("click", function () { root.hidden = true; });
  // New and changed messages arrive live: refresh the open tab and the badge.
  // Supervisors also hear the company's pool notices (the monitor room) that the badge, which
  // counts only the user's own, leaves out: flag the button until the panel is opened.
  W.socket.on("leave_message.created", function () {
    if (root.hidden) toggle.classList.add("pool-fresh");
    load();
  });
  W.socket.on("leave_message.updated", load);
  W.socket.on("connect", load);
  api("/api/workbench/leave-targets").then(function (res) {
    if (res.ok) targets = res;
    if (targets.agents.length) {
      var all = el("option", "", P.scope_all); all.value = "all";
      document.getElementById("pool-scope").appendChild(all);
    }
    load();
  });
})();
