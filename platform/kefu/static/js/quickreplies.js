/* 快捷回复: "/" in the composer opens a filterable picker; the drawer browses both libraries and
   edits the agent's own. A reply is inserted into the textarea for editing, never sent by itself.
   Everything user-written is rendered with textContent. */
(function () {
  "use strict";
  var WB = window.KefuWB;
  var T = window.KEFU_QR_I18N;
  var API = "/api/workbench/quick-replies", GROUPS_API = "/api/workbench/quick-reply-groups";
  var bar = document.getElementById("qr-bar");
  var picker = document.getElementById("qr-picker");
  var optionsEl = document.getElementById("qr-options");
  var noneEl = document.getElementById("qr-none");
  var panel = document.getElementById("qr-panel");
  var toggle = document.getElementById("qr-toggle");
  var listEl = document.getElementById("qr-list");
  var searchEl = document.getElementById("qr-search");
  var errEl = document.getElementById("qr-error");
  var form = document.getElementById("qr-form");
  var titleEl = document.getElementById("qr-title"), textEl = document.getElementById("qr-text");
  var groupSel = document.getElementById("qr-group");
  var cancelBtn = document.getElementById("qr-cancel"), formTitle = document.getElementById("qr-form-title");
  var groupForm = document.getElementById("qr-group-form"), groupNameEl = document.getElementById("qr-group-name");
  var groupsEl = document.getElementById("qr-groups"), groupSave = document.getElementById("qr-group-save");
  var input = WB.input;
  var composer = input.form;
  var csrf = bar.dataset.csrf;
  var lib = {groups: [], replies: []};   // both libraries, for the picker
  var shown = [];                        // the picker's current matches
  var active = 0;
  var token = null;                      // {start, end} of the "/query" being typed
  var scope = "all", editing = null, editingGroup = null, searchTimer = null;

  // The bar sits right above the composer, wherever the page's layout puts it.
  composer.parentNode.insertBefore(bar, composer);
  input.setAttribute("aria-controls", "qr-options");
  input.setAttribute("aria-autocomplete", "list");

  function call(method, path, body) {
    var opts = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (method !== "GET") {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = csrf;
      opts.body = JSON.stringify(body || {});
    }
    return fetch(path, opts).then(function (r) {
      return r.json().then(function (data) {
        if (!data.ok) throw data.error || {message: String(r.status)};
        return data;
      });
    });
  }
  function showError(err) {
    if (!err) { errEl.hidden = true; return; }
    errEl.textContent = err.message || String(err); errEl.hidden = false;
  }
  function groupName(id) {
    for (var i = 0; i < lib.groups.length; i++) if (lib.groups[i].id === id) return lib.groups[i].name;
    return "";
  }
  function load() {
    return call("GET", API + "?scope=all").then(function (data) {
      lib = data; bar.dataset.loaded = String(data.replies.length);
      renderGroups();
      if (token) openPicker();
    }).catch(showError);
  }

  // Variables come from the open chat and this agent; unknown ones stay as typed.
  function fill(text) {
    var conv = WB.current();
    var vars = {
      visitor_name: conv && conv.visitor ? conv.visitor.name : "",
      agent_name: bar.dataset.agent || "",
      company: bar.dataset.company || ""
    };
    return text.replace(/\{(visitor_name|agent_name|company)\}/g, function (m, k) { return vars[k]; });
  }

  // Put the reply where the "/query" (or the selection) was, leave the caret after it, and let
  // the agent edit before sending: nothing is sent here.
  function insert(reply) {
    var text = fill(reply.text);
    var start = token ? token.start : input.selectionStart;
    var end = token ? token.end : input.selectionEnd;
    closePicker();
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    var caret = start + text.length;
    input.focus();
    input.setSelectionRange(caret, caret);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }

  // -- the "/" picker ---------------------------------------------------------------------
  function findToken() {
    if (input.selectionStart !== input.selectionEnd) return null;
    var caret = input.selectionStart;
    var before = input.value.slice(0, caret);
    var m = /(^|\s)\/([^\s\/]{0,30})$/.exec(before);
    return m ? {start: caret - m[2].length - 1, end: caret, query: m[2].toLowerCase()} : null;
  }
  function matches(query) {
    return lib.replies.filter(function (r) {
      if (!query) return true;
      return (r.title + "\n" + r.text + "\n" + groupName(r.group_id)).toLowerCase().indexOf(query) >= 0;
    }).slice(0, 50);
  }
  function option(r, i) {
    var li = document.createElement("li");
    li.className = "qr-opt" + (i === active ? " active" : "");
    li.id = "qr-opt-" + i; li.setAttribute("role", "option");
    li.setAttribute("aria-selected", i === active ? "true" : "false");
    var head = document.createElement("span"); head.className = "qr-opt-head";
    var title = document.createElement("span"); title.className = "qr-opt-title"; title.textContent = r.title;
    head.appendChild(title);
    var tag = document.createElement("span"); tag.className = "qr-tag";
    tag.textContent = (groupName(r.group_id) || T.noGroup) + " · " + (r.personal ? T.mine : T.company);
    head.appendChild(tag);
    var preview = document.createElement("span"); preview.className = "qr-preview";
    preview.textContent = fill(r.text);
    li.appendChild(head); li.appendChild(preview);
    li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the caret
    li.addEventListener("click", function () { insert(r); });
    return li;
  }
  function openPicker() {
    shown = matches(token.query);
    if (active >= shown.length) active = 0;
    optionsEl.innerHTML = "";
    shown.forEach(function (r, i) { optionsEl.appendChild(option(r, i)); });
    noneEl.hidden = shown.length > 0;
    picker.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (shown.length) {
      input.setAttribute("aria-activedescendant", "qr-opt-" + active);
      var el = document.getElementById("qr-opt-" + active);
      if (el && el.scrollIntoView) el.scrollIntoView({block: "nearest"});
    }
  }
  function closePicker() {
    token = null; shown = []; active = 0;
    picker.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  input.addEventListener("input", function () {
    var t = findToken();
    if (!t) { closePicker(); return; }
    if (!token || token.query !== t.query) active = 0;
    token = t; openPicker();
  });
  input.addEventListener("blur", function () { setTimeout(function () {
    if (document.activeElement !== input) closePicker();
  }, 150); });
  // Capture on the form runs before the textarea's own Enter-to-send handler.
  composer.addEventListener("keydown", function (e) {
    if (!token || e.target !== input || e.isComposing) return;
    var stop = function () { e.preventDefault(); e.stopPropagation(); };
    if (e.key === "Escape") { stop(); closePicker(); return; }
    if (!shown.length) return;  // nothing to pick: Enter sends what was typed
    if (e.key === "ArrowDown") { stop(); active = (active + 1) % shown.length; openPicker(); }
    else if (e.key === "ArrowUp") { stop(); active = (active - 1 + shown.length) % shown.length; openPicker(); }
    else if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") { stop(); insert(shown[active]); }
  }, true);
  WB.onSelect(function () { closePicker(); });

  // -- the drawer: browse, search, edit one's own -----------------------------------------
  function renderGroups() {
    var personal = lib.groups.filter(function (g) { return g.personal; });
    var keep = groupSel.value;
    groupSel.innerHTML = "";
    var none = document.createElement("option"); none.value = ""; none.textContent = T.noGroup;
    groupSel.appendChild(none);
    personal.forEach(function (g) {
      var o = document.createElement("option"); o.value = String(g.id); o.textContent = g.name;
      groupSel.appendChild(o);
    });
    groupSel.value = keep;
    if (groupSel.selectedIndex < 0) groupSel.value = "";
    groupsEl.innerHTML = "";
    personal.forEach(function (g) {
      var li = document.createElement("li");
      var name = document.createElement("span"); name.textContent = g.name; li.appendChild(name);
      var ren = document.createElement("button"); ren.type = "button"; ren.textContent = T.rename;
      ren.onclick = function () {
        editingGroup = g; groupNameEl.value = g.name; groupSave.textContent = T.saveGroup; groupNameEl.focus();
      };
      var del = document.createElement("button"); del.type = "button"; del.textContent = T.delGroup;
      del.onclick = twoStep(del, function () {
        return call("DELETE", GROUPS_API + "/" + g.id).then(refresh);
      });
      li.appendChild(ren); li.appendChild(del);
      groupsEl.appendChild(li);
    });
  }
  // A delete asks for a second click instead of a modal dialog.
  function twoStep(btn, action) {
    var armed = false, label = btn.textContent;
    return function () {
      if (!armed) {
        armed = true; btn.textContent = T.confirmDel;
        setTimeout(function () { armed = false; btn.textContent = label; }, 4000);
        return;
      }
      action().catch(showError);
    };
  }
  function item(r) {
    var li = document.createElement("li"); li.className = "qr-item"; li.dataset.id = r.id;
    var head = document.createElement("div"); head.className = "qr-opt-head";
    var title = document.createElement("span"); title.className = "qr-opt-title"; title.textContent = r.title;
    head.appendChild(title);
    var tag = document.createElement("span"); tag.className = "qr-tag";
    tag.textContent = r.personal ? T.mine : T.company; head.appendChild(tag);
    var text = document.createElement("div"); text.className = "qr-preview"; text.textContent = r.text;
    var actions = document.createElement("div"); actions.className = "qr-item-actions";
    var use = document.createElement("button"); use.type = "button"; use.className = "qr-use";
    use.textContent = T.use; use.disabled = input.disabled;
    use.onclick = function () { token = null; insert(r); };
    actions.appendChild(use);
    if (r.personal) {
      var edit = document.createElement("button"); edit.type = "button"; edit.className = "qr-edit";
      edit.textContent = T.edit;
      edit.onclick = function () {
        editing = r; titleEl.value = r.title; textEl.value = r.text;
        groupSel.value = r.group_id ? String(r.group_id) : "";
        formTitle.textContent = T.editReply; cancelBtn.hidden = false; titleEl.focus();
      };
      var del = document.createElement("button"); del.type = "button"; del.className = "qr-delete";
      del.textContent = T.del;
      del.onclick = twoStep(del, function () { return call("DELETE", API + "/" + r.id).then(refresh); });
      actions.appendChild(edit); actions.appendChild(del);
    }
    li.appendChild(head); li.appendChild(text); li.appendChild(actions);
    return li;
  }
  function renderList(data) {
    listEl.innerHTML = "";
    var names = {};
    data.groups.forEach(function (g) { names[g.id] = g.name; });
    var sections = [], byKey = {};
    data.replies.forEach(function (r) {
      var key = r.group_id ? String(r.group_id) : (r.personal ? "mine" : "company");
      if (!byKey[key]) {
        byKey[key] = {name: names[r.group_id] || T.noGroup, personal: r.personal, items: []};
        sections.push(byKey[key]);
      }
      byKey[key].items.push(r);
    });
    sections.forEach(function (s) {
      var h = document.createElement("h3");
      h.textContent = s.name + " · " + (s.personal ? T.mine : T.company);
      var ul = document.createElement("ul"); ul.className = "qr-list";
      s.items.forEach(function (r) { ul.appendChild(item(r)); });
      listEl.appendChild(h); listEl.appendChild(ul);
    });
  }
  function search() {
    var q = searchEl.value.trim();
    return call("GET", API + "?scope=" + scope + "&q=" + encodeURIComponent(q)).then(function (data) {
      showError(null); renderList(data);
    }).catch(showError);
  }
  function refresh() { resetForm(); return load().then(search); }
  function resetForm() {
    editing = null; form.reset(); formTitle.textContent = T.newReply; cancelBtn.hidden = true;
  }
  toggle.addEventListener("click", function () {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    if (!panel.hidden) { search(); searchEl.focus(); }
  });
  document.getElementById("qr-close").addEventListener("click", function () {
    panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); toggle.focus();
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
  });
  panel.querySelectorAll("button[data-scope]").forEach(function (b) {
    b.addEventListener("click", function () {
      scope = b.dataset.scope;
      panel.querySelectorAll("button[data-scope]").forEach(function (o) { o.classList.toggle("on", o === b); });
      search();
    });
  });
  searchEl.addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });
  cancelBtn.addEventListener("click", resetForm);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = {title: titleEl.value, text: textEl.value,
                group_id: groupSel.value ? parseInt(groupSel.value, 10) : null};
    var req = editing ? call("PUT", API + "/" + editing.id, body) : call("POST", API, body);
    req.then(function () { showError(null); return refresh(); }).catch(showError);
  });
  groupForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var req = editingGroup ? call("PUT", GROUPS_API + "/" + editingGroup.id, {name: groupNameEl.value})
      : call("POST", GROUPS_API, {name: groupNameEl.value});
    req.then(function () {
      editingGroup = null; groupNameEl.value = ""; groupSave.textContent = T.addGroup; showError(null);
      return refresh();
    }).catch(showError);
  });
  load();
})();
