/* Pre-chat form (询前表单): when the reception plan asks for name / phone / e-mail the visitor's
 * profile lacks, ask before their first message; the composer waits until it is sent, or skipped
 * when the plan allows. The server checks every value (widget/prechat.py). */
(function () {
  "use strict";
  var C = window.KefuChat;
  var tpl = document.getElementById("prechat-template");
  if (!C || !tpl) return;
  var key = C.root.dataset.key;
  var skipKey = "kefu_prechat_skip_" + key;
  var sendBtn = document.getElementById("send");
  var form = null, token = null;
  function skipped() { try { return window.localStorage.getItem(skipKey) === "1"; } catch (e) { return false; } }
  function lock(on) {
    C.input.disabled = on;
    if (sendBtn) sendBtn.disabled = on;
  }
  function done() {
    if (form) form.remove();
    form = null;
    lock(false);
    C.input.focus();
  }
  function fieldError(name, text) {
    var input = form.querySelector("[name=" + name + "]");
    var span = form.querySelector("#prechat-" + name + "-error");
    if (!input || !span) return;
    span.textContent = text || "";
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }
  function show(spec) {
    if (form) return;
    form = tpl.content.firstElementChild.cloneNode(true);
    spec.fields.forEach(function (f) {
      var box = form.querySelector("[data-field=" + f + "]");
      if (box) { box.hidden = false; box.querySelector("input").required = true; }
    });
    var skip = form.querySelector("#prechat-skip");
    skip.hidden = !spec.skippable;
    skip.addEventListener("click", function () {
      try { window.localStorage.setItem(skipKey, "1"); } catch (e) { /* remembered for this page only */ }
      done();
    });
    var errEl = form.querySelector("#prechat-error");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = {token: token}, empty = null;
      errEl.hidden = true;
      spec.fields.forEach(function (f) {
        var v = form.querySelector("[name=" + f + "]").value.trim();
        body[f] = v;
        fieldError(f, v ? "" : C.T.prechat_required);
        if (!v && !empty) empty = f;
      });
      if (empty) { form.querySelector("[name=" + empty + "]").focus(); return; }
      var submit = form.querySelector("#prechat-submit");
      submit.disabled = true;
      fetch("/api/widget/" + encodeURIComponent(key) + "/prechat", {
        method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(body)
      }).then(function (r) { return r.json(); }).then(function (res) {
        if (!form) return;
        submit.disabled = false;
        if (res.ok) { done(); return; }
        var err = res.error || {};
        errEl.textContent = err.message || "";
        errEl.hidden = !err.message;
        var first = null;
        Object.keys(err.fields || {}).forEach(function (f) {
          fieldError(f, err.message || C.T.prechat_required);
          if (!first) first = f;
        });
        var bad = first && form.querySelector("[name=" + first + "]");
        if (bad) bad.focus();
      }).catch(function () {
        if (!form) return;
        submit.disabled = false;
        errEl.textContent = C.T.unreachable;
        errEl.hidden = false;
      });
    });
    var composer = document.getElementById("composer");
    composer.parentNode.insertBefore(form, composer);
    lock(true);
    if (!document.hidden && window.top === window.self) {
      var first = form.querySelector("[data-field]:not([hidden]) input");
      if (first) first.focus();
    }
  }
  // The server refuses a first message while the plan's form is unfilled (a page older than the
  // plan): ask now; the visitor's text stays in the box to send again.
  C.onRefused(function (err) {
    if (err.code === "prechat_first" && err.fields) {
      show({fields: Object.keys(err.fields), skippable: false});
    }
  });
  C.onSession(function (data) {
    token = data.token;
    var conv = data.conversation;
    var open = conv && (conv.status === "queued" || conv.status === "active");
    if (data.prechat && data.prechat.fields && data.prechat.fields.length && !open &&
        !(data.prechat.skippable && skipped())) {
      show(data.prechat);
    } else if (form) {
      done();  // filled in another tab, or a chat opened meanwhile
    }
  });
})();
