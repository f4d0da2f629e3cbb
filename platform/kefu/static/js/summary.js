/* kefu workbench: 服务总结 of the current chat, its orders, and the agent's own star (星标). */
(function () {
  "use strict";
  var W = window.KefuWB;
  var L = window.KEFU_SUMMARY_I18N;
  if (!W || !L) return;
  var dialog = document.getElementById("summary-dialog");
  var form = document.getElementById("summary-form");
  var typesEl = document.getElementById("summary-types");
  var noTypes = document.getElementById("summary-no-types");
  var status = document.getElementById("summary-status");
  var remark = document.getElementById("summary-remark");
  var invalid = document.getElementById("summary-invalid");
  var err = document.getElementById("summary-error");
  var saved = document.getElementById("summary-saved");
  var submit = document.getElementById("summary-submit");
  var requiredNote = document.getElementById("summary-required-note");
  var orderForm = document.getElementById("order-form");
  var orderList = document.getElementById("order-list");
  var orderErr = document.getElementById("order-error");
  var maxTypes = 3;
  var required = {};   // chat id -> the company wants a summary and this chat has none yet
  var shownFor = null;

  function button(id, text) {
    var b = document.createElement("button");
    b.type = "button"; b.id = id; b.textContent = text; b.disabled = true;
    W.actions.appendChild(b);
    return b;
  }
  var openBtn = button("summary-open", L.open);
  var starBtn = button("summary-star", "☆ " + L.star);

  function conv() { return W.current(); }
  function fail(el, e) { el.textContent = (e && e.message) || ""; el.hidden = false; }
  var stars = {};      // chat id -> starred by me (marked in the list)
  W.onListItem(function (li, e) {
    if (!stars[e.conv.id]) return;
    var mark = document.createElement("span");
    mark.className = "conv-star"; mark.textContent = "★"; mark.title = L.unstar;
    li.insertBefore(mark, li.firstChild);
  });
  W.onSync(function (res) {
    var ids = (res.conversations || []).map(function (c) { return c.id; });
    W.socket.emit("summary.stars", {conversation_ids: ids}, function (r) {
      if (!r || !r.ok) return;
      r.starred.forEach(function (id) { stars[id] = true; });
      W.renderList();
    });
  });
  function setStar(on) {
    var c = conv();
    if (c && !!stars[c.id] !== on) { stars[c.id] = on; W.renderList(); }
    starBtn.dataset.starred = on ? "1" : "0";
    starBtn.classList.toggle("starred", on);
    starBtn.textContent = (on ? "★ " + L.unstar : "☆ " + L.star);
  }
  function limitTypes() {
    var boxes = typesEl.querySelectorAll("input[type=checkbox]");
    var n = typesEl.querySelectorAll("input:checked").length;
    boxes.forEach(function (b) { b.disabled = !b.checked && n >= maxTypes; });
  }
  function renderTypes(units, picked) {
    typesEl.textContent = "";
    units.forEach(function (u) {
      var fs = document.createElement("fieldset");
      var lg = document.createElement("legend");
      lg.textContent = u.name;
      fs.appendChild(lg);
      u.types.forEach(function (t) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox"; box.value = t.id; box.checked = picked.indexOf(t.id) >= 0;
        box.addEventListener("change", limitTypes);
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + t.name));
        fs.appendChild(label);
      });
      typesEl.appendChild(fs);
    });
    noTypes.hidden = units.length > 0;
    limitTypes();
  }
  function renderOrders(orders) {
    orderList.textContent = "";
    orders.forEach(function (o) {
      var li = document.createElement("li");
      li.textContent = o.number + " · " + o.amount + " " + o.currency + " · " + (L.statuses[o.status] || o.status);
      orderList.appendChild(li);
    });
  }
  // Load the panel's data for the current chat (categories, summary, star, orders).
  function load(then) {
    var c = conv();
    if (!c) return;
    W.socket.emit("summary.get", {conversation_id: c.id}, function (res) {
      if (!res || !res.ok) { W.showError(res && res.error); return; }
      if (!conv() || conv().id !== c.id) return;
      maxTypes = res.max_types || 3;
      var s = res.summary;
      renderTypes(res.categories, s ? s.type_ids : []);
      status.value = s ? s.status : "solved";
      remark.value = s ? s.remark : "";
      invalid.checked = s ? s.invalid : false;
      requiredNote.hidden = !res.required;
      required[c.id] = !!res.required;
      openBtn.dataset.required = res.required ? "1" : "0";
      setStar(res.starred);
      renderOrders(res.orders);
      shownFor = c.id;
      if (then) then(res);
    });
  }

  W.onSelect(function () {
    var c = conv();
    openBtn.disabled = starBtn.disabled = !c;
    shownFor = null;
    if (c) load(); else setStar(false);
    if (dialog.open) dialog.close();
  });
  openBtn.addEventListener("click", function () {
    if (!conv()) return;
    err.hidden = saved.hidden = orderErr.hidden = true;
    submit.disabled = false;
    load(function () { if (!dialog.open) dialog.showModal(); });
  });
  document.getElementById("summary-cancel").addEventListener("click", function () { dialog.close(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var c = conv();
    if (!c || shownFor !== c.id) return;
    var ids = Array.prototype.map.call(typesEl.querySelectorAll("input:checked"), function (b) { return Number(b.value); });
    if (ids.length > maxTypes) { fail(err, {message: L.tooMany}); return; }
    submit.disabled = true; err.hidden = saved.hidden = true;
    W.socket.emit("summary.save", {conversation_id: c.id, type_ids: ids, status: status.value,
                                   remark: remark.value, invalid: invalid.checked}, function (res) {
      submit.disabled = false;
      if (!res || !res.ok) { fail(err, res && res.error); return; }
      saved.hidden = false; requiredNote.hidden = true;
      required[c.id] = false;
      openBtn.dataset.required = "0";
      W.showError(null);
    });
  });
  // A summary saved elsewhere (another tab, a manager) lifts the requirement for that chat.
  W.socket.on("summary.saved", function (ev) {
    var id = ev.summary.conversation_id;
    required[id] = false;
    var c = conv();
    if (c && c.id === id) { openBtn.dataset.required = "0"; requiredNote.hidden = true; }
  });
  // Ending a chat that still needs its summary opens the form instead (the server refuses it anyway).
  document.getElementById("close-conv").addEventListener("click", function (e) {
    var c = conv();
    if (!c || !required[c.id] || c.status === "closed") return;
    e.stopImmediatePropagation();
    openBtn.click();
  }, true);
  starBtn.addEventListener("click", function () {
    var c = conv();
    if (!c) return;
    var want = starBtn.dataset.starred !== "1";
    W.socket.emit("summary.star", {conversation_id: c.id, starred: want}, function (res) {
      if (!res || !res.ok) { W.showError(res && res.error); return; }
      setStar(res.starred);
    });
  });
  orderForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var c = conv();
    if (!c) return;
    orderErr.hidden = true;
    W.socket.emit("order.save", {
      conversation_id: c.id, number: document.getElementById("order-number").value,
      amount: document.getElementById("order-amount").value.trim(),
      currency: document.getElementById("order-currency").value,
      status: document.getElementById("order-status").value
    }, function (res) {
      if (!res || !res.ok) { fail(orderErr, res && res.error); return; }
      document.getElementById("order-number").value = "";
      document.getElementById("order-amount").value = "";
      // Refresh only the order list: the summary form may hold unsaved edits.
      W.socket.emit("summary.get", {conversation_id: c.id}, function (r) {
        if (r && r.ok && conv() && conv().id === c.id) renderOrders(r.orders);
      });
    });
  });
})();
