/* kefu widget: the leave-message (留言) form — configured fields, uploads, errors named per field,
   resent with its client id after a reconnect — and agents' offline replies marked as such. */
(function () {
  "use strict";
  var C = window.KefuChat;
  if (!C) return;
  var L = window.KEFU_LEAVE_I18N || {};
  var en = C.T.lang === "en";
  var current = null;  // {form, payload, errs, btn, general} while a form is shown or being sent
  var meta = {max_bytes: 0, types: []};

  function label(spec, key) { return (en ? spec[key + "_en"] : spec[key + "_zh"]) || spec[key + "_zh"] || ""; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function token() { var s = C.socket(); return s && s.auth ? s.auth.token : ""; }
  function legacyForm(names) {
    var labels = {name: [L.name, "text"], phone: [L.phone, "phone"], email: [L.email, "email"]};
    return {id: null, fields: (names || ["name", "phone"]).filter(function (n) { return labels[n]; })
      .map(function (n) { return {name: n, kind: labels[n][1], label_zh: labels[n][0], label_en: labels[n][0]}; })};
  }
  function input(spec) {
    var i;
    if (spec.kind === "choice") {
      i = el("select");
      i.appendChild(el("option", "", L.pick));
      i.lastChild.value = "";
      (spec.options || []).forEach(function (o) { var op = el("option", "", o); op.value = o; i.appendChild(op); });
    } else {
      i = el("input");
      i.type = {phone: "tel", email: "email", date: "date", attachment: "file"}[spec.kind] || "text";
      if (spec.kind === "attachment") { i.multiple = true; if (meta.types.length) i.accept = meta.types.join(","); }
      else i.maxLength = 500;
    }
    i.name = spec.name;
    if (spec.required) i.setAttribute("aria-required", "true");
    return i;
  }
  function showForm(ev) {
    if (current && current.form) current.form.remove();
    var form = ev.form || legacyForm(ev.fields);
    var f = el("form", "leave-form");
    f.id = "leave-form";
    f.setAttribute("novalidate", "");
    f.appendChild(el("p", "leave-text", ev.text || label(form, "guide") || L.title));
    if (ev.text && label(form, "guide")) f.appendChild(el("p", "leave-guide", label(form, "guide")));
    var errs = {}, files = {};
    function row(spec, control) {
      var lab = el("label", "leave-field");
      lab.appendChild(el("span", "leave-label", label(spec, "label") + (spec.required ? " *" : "")));
      lab.appendChild(control);
      var err = el("span", "leave-error");
      err.hidden = true;
      errs[spec.name] = err;
      lab.appendChild(err);
      f.appendChild(lab);
      return lab;
    }
    (form.fields || []).forEach(function (spec) {
      var control = input(spec);
      var lab = row(spec, control);
      if (spec.kind !== "attachment") return;
      files[spec.name] = [];
      var list = el("ul", "leave-files");
      lab.appendChild(list);
      control.addEventListener("change", function () {
        Array.prototype.forEach.call(control.files, function (file) { upload(spec, file, list, files, errs, ev); });
        control.value = "";
      });
    });
    var content = el("textarea");
    content.name = "content"; content.rows = 3; content.maxLength = 2000;
    row({name: "content", label_zh: form.content_label_zh || L.content, label_en: form.content_label_en || L.content,
         required: true}, content);
    if (label(form, "privacy")) f.appendChild(el("p", "leave-privacy", label(form, "privacy")));
    var general = el("p", "error");
    general.hidden = true;
    f.appendChild(general);
    var btn = el("button", "", L.submit);
    btn.type = "submit";
    f.appendChild(btn);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      if (Object.keys(files).some(function (k) { return files[k].uploading; })) return;
      var values = {};
      Array.prototype.forEach.call(f.elements, function (x) {
        if (x.name && x.name !== "content" && x.type !== "file") values[x.name] = x.value.trim();
      });
      Object.keys(files).forEach(function (k) { values[k] = files[k].slice(); });
      var payload = {client_id: C.uuid(), conversation_id: ev.conversation_id || null, values: values,
                     content: content.value.trim()};
      if (!form.id) Object.keys(values).forEach(function (k) { payload[k] = values[k]; });  // plain fields
      current = {form: f, payload: payload, errs: errs, btn: btn, general: general};
      btn.disabled = true;
      btn.textContent = L.sending;
      send();
    });
    C.list.parentNode.insertBefore(f, C.list.nextSibling);
    current = {form: f, payload: null, errs: errs, btn: btn, general: general};
    C.scrollDown();
  }
  function upload(spec, file, list, files, errs, ev) {
    var err = errs[spec.name];
    err.hidden = true;
    var item = el("li", "uploading", file.name);
    list.appendChild(item);
    files[spec.name].uploading = (files[spec.name].uploading || 0) + 1;
    var body = new FormData();
    body.append("file", file);
    body.append("field", spec.name);
    if (ev.conversation_id) body.append("conversation_id", ev.conversation_id);
    fetch("/api/widget/leave-attachments", {method: "POST", body: body,
      headers: {"Authorization": "Bearer " + token(), "Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (res.ok) {
          files[spec.name].push(res.attachment.key);
          item.className = "uploaded";
        } else {
          item.remove();
          err.textContent = (res.error && (en ? res.error.message_en : res.error.message_zh)) || L.failed;
          err.hidden = false;
        }
      })
      .catch(function () { item.remove(); err.textContent = L.failed; err.hidden = false; })
      .then(function () { files[spec.name].uploading -= 1; });
  }
  // Sent again with the same client id after a reconnect: the server stores it once.
  function send() {
    var s = C.socket();
    if (!current || !current.payload || !s || !s.connected) return;
    var mine = current;
    s.timeout(10000).emit("leave_message.submit", mine.payload, function (err, res) {
      if (err) return;  // no answer: resent on reconnect
      if (res && res.ok) {
        mine.form.remove();
        if (current === mine) current = null;
        C.systemNote(L.done);
        return;
      }
      mine.payload = null;  // refused: the visitor fixes the form and sends a new one
      mine.btn.disabled = false;
      mine.btn.textContent = L.submit;
      Object.keys(mine.errs).forEach(function (k) { mine.errs[k].hidden = true; });
      var error = (res && res.error) || {};
      var named = Object.keys(error.fields || {}).filter(function (k) { return mine.errs[k]; })[0];
      var box = named ? mine.errs[named] : mine.general;
      box.textContent = error.message || L.failed;
      box.hidden = false;
      var field = named && mine.form.elements[named];
      if (field && field.focus) field.focus();
    });
  }
  function openByChoice() {
    var s = C.state();
    var q = s && s.id ? "?conversation_id=" + encodeURIComponent(s.id) : "";
    fetch("/api/widget/leave-form" + q, {headers: {"Authorization": "Bearer " + token(), "Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (!res.ok) return C.showError(res.error);
        meta = {max_bytes: res.max_bytes, types: res.types || []};
        showForm({form: res.form, text: "", conversation_id: null});
      });
  }
  function markReply(m, li) {
    var p = m.payload || {};
    if (!p.leave_message_id || !li) return;
    li.classList.add("msg-offline-reply");
    var bubble = li.querySelector(".bubble");
    var head = el("span", "reply-quote", L.reply_to + (p.quote ? "「" + p.quote + "」" : ""));
    if (bubble) bubble.insertBefore(head, bubble.firstChild);
  }

  C.leaveForm = function (ev) {
    // The offer does not carry the upload limits: ask for them, then draw (or draw at once).
    if (ev.form && (ev.form.fields || []).some(function (f) { return f.kind === "attachment"; }) && token()) {
      fetch("/api/widget/leave-form" + (ev.conversation_id ? "?conversation_id=" + ev.conversation_id : ""),
            {headers: {"Authorization": "Bearer " + token(), "Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (res) { if (res.ok) meta = {max_bytes: res.max_bytes, types: res.types || []}; })
        .catch(function () {})
        .then(function () { showForm(ev); });
      return;
    }
    showForm(ev);
  };
  C.onSocket(function (s) { s.on("connect", send); });
  if (C.onMessage) C.onMessage(markReply);
  var open = el("button", "leave-open", L.open);
  open.type = "button";
  open.id = "leave-open";
  open.addEventListener("click", openByChoice);
  var head = C.root.querySelector(".chat-head");
  if (head) head.appendChild(open);
})();
