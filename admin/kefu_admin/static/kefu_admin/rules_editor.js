/* kefu rule editor: builds a ruleset definition from the decision point's declaration.
 * No framework: the page's JSON state holds the point, the company's choices and the draft;
 * every edit changes `def` and re-renders the part it touched. */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("kefu-rules-state").textContent);
  var L = state.lang, S = state.strings, P = state.point, OPS = state.ops, REFS = state.refs;
  var def = JSON.parse(JSON.stringify(state.definition || {}));
  def.rules = Array.isArray(def.rules) ? def.rules : [];
  def.cases = Array.isArray(def.cases) ? def.cases : [];
  var dragFrom = null;

  function lbl(o) { return o ? (o[L] || o.zh || "") : ""; }
  function fmt(text, vals) {
    return String(text).replace(/\{(\w+)\}/g, function (_m, k) { return vals[k]; });
  }
  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v);
    });
    (kids || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function option(value, text, selected) {
    var o = el("option", {value: value, text: text});
    o.selected = !!selected;
    return o;
  }
  function fact(name) { return P.facts.filter(function (f) { return f.name === name; })[0]; }
  function actionSpec(name) { return P.actions.filter(function (a) { return a.name === name; })[0]; }
  function refOptions(source) { return REFS[source] || []; }
  function choicesOf(spec) {
    if (spec.type === "ref") return refOptions(spec.source).map(function (c) {
      return {value: c.value, text: c.label};
    });
    return (spec.choices || []).map(function (c) { return {value: c.value, text: lbl(c.label)}; });
  }
  function valueOf(spec, raw) {
    if (raw === "" || raw === null || raw === undefined) return null;
    if (spec.type === "number" || spec.type === "int" || spec.type === "ref") {
      var n = Number(raw);
      return isNaN(n) ? raw : n;
    }
    return raw;
  }
  function btn(text, cls, onclick, extra) {
    return el("button", Object.assign({type: "button", class: "btn btn-sm " + cls, text: text,
                                      onclick: onclick}, extra || {}));
  }

  /* -- conditions ------------------------------------------------------------------------ */
  function groupKey(node) { return ["all", "any", "none"].filter(function (k) { return k in node; })[0]; }

  function valueInput(spec, leaf, onchange) {
    var kind = (OPS[leaf.op] || {}).kind;
    if (kind === "none") { delete leaf.value; return null; }
    var input;
    if (kind === "list" && (spec.type === "enum" || spec.type === "ref")) {
      var picked = Array.isArray(leaf.value) ? leaf.value : [];
      input = el("select", {multiple: true, class: "form-control form-control-sm cond-value"});
      choicesOf(spec).forEach(function (c) {
        input.appendChild(option(c.value, c.text, picked.indexOf(c.value) >= 0));
      });
      input.addEventListener("change", function () {
        var vals = Array.prototype.filter.call(input.options, function (o) { return o.selected; })
          .map(function (o) { return valueOf(spec, o.value); });
        leaf.value = vals.length ? vals : null; onchange();
      });
      return input;
    }
    if (kind === "list") {
      input = el("input", {type: "text", class: "form-control form-control-sm cond-value",
                           placeholder: S.comma_hint,
                           value: Array.isArray(leaf.value) ? leaf.value.join(", ") : ""});
      input.addEventListener("change", function () {
        var vals = input.value.split(/[,，]/).map(function (v) { return v.trim(); })
          .filter(Boolean).map(function (v) { return spec.type === "number" ? valueOf(spec, v) : v; });
        leaf.value = vals.length ? vals : null; onchange();
      });
      return input;
    }
    if (kind === "scalar" && (spec.type === "enum" || spec.type === "ref")) {
      input = el("select", {class: "form-control form-control-sm cond-value"});
      input.appendChild(option("", S.choose, leaf.value === undefined || leaf.value === null));
      choicesOf(spec).forEach(function (c) { input.appendChild(option(c.value, c.text, c.value === leaf.value)); });
      input.addEventListener("change", function () { leaf.value = valueOf(spec, input.value); onchange(); });
      return input;
    }
    var numeric = kind === "scalar" && spec.type === "number";
    input = el("input", {type: numeric ? "number" : "text", step: numeric ? "any" : null,
                         class: "form-control form-control-sm cond-value",
                         value: leaf.value === null || leaf.value === undefined ? "" : leaf.value});
    input.addEventListener("input", function () {
      leaf.value = numeric ? valueOf(spec, input.value) : (input.value === "" ? null : input.value);
      onchange();
    });
    return input;
  }

  function leafEditor(leaf, remove, changed) {
    var row = el("div", {class: "form-inline cond-leaf mb-1"});
    function draw() {
      row.innerHTML = "";
      var spec = fact(leaf.field);
      var fieldSel = el("select", {class: "form-control form-control-sm mr-1 cond-field"});
      if (!spec) fieldSel.appendChild(option(leaf.field || "", (leaf.field || "") + " ?", true));
      P.facts.forEach(function (f) { fieldSel.appendChild(option(f.name, lbl(f.label), f.name === leaf.field)); });
      fieldSel.addEventListener("change", function () {
        var f = fact(fieldSel.value);
        leaf.field = f.name; leaf.op = f.ops[0]; leaf.value = null; draw(); changed();
      });
      row.appendChild(fieldSel);
      if (spec) {
        var opSel = el("select", {class: "form-control form-control-sm mr-1 cond-op"});
        spec.ops.forEach(function (op) { opSel.appendChild(option(op, lbl(OPS[op].label), op === leaf.op)); });
        opSel.addEventListener("change", function () {
          var before = (OPS[leaf.op] || {}).kind;
          leaf.op = opSel.value;
          if (OPS[leaf.op].kind !== before) leaf.value = null;
          draw(); changed();
        });
        row.appendChild(opSel);
        var input = valueInput(spec, leaf, changed);
        if (input) row.appendChild(input);
      }
      row.appendChild(btn("×", "btn-outline-danger ml-1 remove-condition", remove, {title: S.remove}));
    }
    draw();
    return row;
  }

  function groupEditor(node, remove, changed) {
    var box = el("div", {class: "cond-group border-left pl-2 mb-1"});
    var key = groupKey(node);
    var kind = el("select", {class: "form-control form-control-sm d-inline-block w-auto group-kind"});
    ["all", "any", "none"].forEach(function (k) { kind.appendChild(option(k, S["group_" + k], k === key)); });
    kind.addEventListener("change", function () {
      var kids = node[key]; delete node[key]; node[kind.value] = kids; key = kind.value; changed();
    });
    var kids = el("div", {class: "group-children"});
    node[key].forEach(function (child, i) {
      var drop = function () { node[key].splice(i, 1); rerender(); };
      kids.appendChild(groupKey(child) ? groupEditor(child, drop, changed) : leafEditor(child, drop, changed));
    });
    var addCond = btn("+ " + S.add_condition, "btn-outline-primary mr-1 add-condition", function () {
      var f = P.facts[0];
      node[key].push({field: f.name, op: f.ops[0], value: null}); rerender();
    });
    var addGroup = btn("+ " + S.add_group, "btn-outline-secondary mr-1 add-group", function () {
      node[key].push({any: []}); rerender();
    });
    box.appendChild(el("div", {class: "mb-1"}, [kind, remove ? btn("×", "btn-outline-danger ml-1 remove-group", remove) : null]));
    box.appendChild(kids);
    box.appendChild(el("div", {}, [addCond, addGroup]));
    return box;
  }

  /* -- actions --------------------------------------------------------------------------- */
  function paramInput(p, params, changed) {
    var cls = "form-control form-control-sm param-" + p.name, input;
    var val = params[p.name];
    if (p.type === "bool") {
      input = el("input", {type: "checkbox", class: "param-" + p.name});
      input.checked = val === true;
      input.addEventListener("change", function () { params[p.name] = input.checked; changed(); });
      return input;
    }
    if (p.type === "multi_enum") {
      var box = el("div", {class: "param-" + p.name});
      var picked = Array.isArray(val) ? val : [];
      p.choices.forEach(function (c) {
        var cb = el("input", {type: "checkbox", value: c.value, class: "mr-1"});
        cb.checked = picked.indexOf(c.value) >= 0;
        cb.addEventListener("change", function () {
          var now = Array.prototype.filter.call(box.querySelectorAll("input"), function (x) { return x.checked; })
            .map(function (x) { return x.value; });
          params[p.name] = now.length ? now : null; changed();
        });
        box.appendChild(el("label", {class: "mr-2"}, [cb, document.createTextNode(lbl(c.label))]));
      });
      return box;
    }
    if (p.type === "enum" || p.type === "ref") {
      input = el("select", {class: cls});
      input.appendChild(option("", S.choose, val === undefined || val === null));
      choicesOf(p).forEach(function (c) { input.appendChild(option(c.value, c.text, c.value === val)); });
      input.addEventListener("change", function () { params[p.name] = valueOf(p, input.value); changed(); });
      return input;
    }
    input = el("input", {type: p.type === "int" ? "number" : "text", class: cls, min: p.min, max: p.max,
                         value: val === undefined || val === null ? "" : val});
    input.addEventListener("input", function () {
      params[p.name] = p.type === "int" ? valueOf(p, input.value) : input.value; changed();
    });
    return input;
  }

  function actionEditor(rule, item, i, changed) {
    var box = el("div", {class: "rule-action border rounded p-2 mb-1"});
    var sel = el("select", {class: "form-control form-control-sm d-inline-block w-auto action-name"});
    if (!actionSpec(item.action)) sel.appendChild(option(item.action || "", (item.action || "") + " ?", true));
    P.actions.forEach(function (a) { sel.appendChild(option(a.name, lbl(a.label), a.name === item.action)); });
    sel.addEventListener("change", function () { item.action = sel.value; item.params = {}; rerender(); });
    box.appendChild(el("div", {class: "mb-1"}, [sel, btn("×", "btn-outline-danger ml-1 remove-action", function () {
      rule.then.splice(i, 1); rerender();
    })]));
    var spec = actionSpec(item.action);
    item.params = item.params || {};
    (spec ? spec.params : []).forEach(function (p) {
      box.appendChild(el("div", {class: "form-group row mb-1"}, [
        el("label", {class: "col-sm-3 col-form-label col-form-label-sm",
                     text: lbl(p.label) + (p.required ? " *" : "")}),
        el("div", {class: "col-sm-9"}, [paramInput(p, item.params, changed)])]));
    });
    return box;
  }

  /* -- rules ----------------------------------------------------------------------------- */
  function nextId() {
    var n = 0;
    def.rules.forEach(function (r) { var m = /^r(\d+)$/.exec(r.id || ""); if (m) n = Math.max(n, +m[1]); });
    return "r" + (n + 1);
  }

  function move(from, to) {
    if (to < 0 || to >= def.rules.length || from === to) return;
    var r = def.rules.splice(from, 1)[0];
    def.rules.splice(to, 0, r);
    rerender();
  }

  function ruleCard(rule, i) {
    var changed = function () { dirty(); };
    var card = el("div", {class: "card mb-2 rule", "data-index": i, "data-rule": rule.id});
    var name = el("input", {type: "text", class: "form-control form-control-sm rule-name", value: rule.name || "",
                            placeholder: S.rule_name});
    name.addEventListener("input", function () { rule.name = name.value; changed(); });
    var enabled = el("input", {type: "checkbox", class: "rule-enabled"});
    enabled.checked = rule.enabled !== false;
    enabled.addEventListener("change", function () { rule.enabled = enabled.checked; changed(); });
    var cont = el("input", {type: "checkbox", class: "rule-continue"});
    cont.checked = rule["continue"] === true;
    cont.addEventListener("change", function () { rule["continue"] = cont.checked; changed(); });
    var header = el("div", {class: "card-header form-inline py-1", draggable: "true"}, [
      el("span", {class: "drag-handle mr-2", title: S.drag, text: "⠿"}),
      el("strong", {class: "mr-2", text: "#" + (i + 1)}), name,
      el("label", {class: "ml-2"}, [enabled, document.createTextNode(" " + S.enabled)]),
      el("label", {class: "ml-2", title: S.continue_hint}, [cont, document.createTextNode(" " + S.continue_)]),
      btn("↑", "btn-outline-secondary ml-2 move-up", function () { move(i, i - 1); }, {title: S.move_up}),
      btn("↓", "btn-outline-secondary ml-1 move-down", function () { move(i, i + 1); }, {title: S.move_down}),
      btn(S.remove, "btn-outline-danger ml-auto remove-rule", function () { def.rules.splice(i, 1); rerender(); })]);
    header.addEventListener("dragstart", function () { dragFrom = i; });
    card.addEventListener("dragover", function (e) { e.preventDefault(); });
    card.addEventListener("drop", function (e) { e.preventDefault(); if (dragFrom !== null) move(dragFrom, i); dragFrom = null; });
    if (!rule.when) rule.when = {all: []};
    var body = el("div", {class: "card-body py-2"}, [
      el("div", {class: "small text-muted", text: S.when + (rule.when[groupKey(rule.when)].length ? "" : " — " + S.always)}),
      groupEditor(rule.when, null, changed),
      el("div", {class: "small text-muted mt-2", text: S.then})]);
    rule.then = Array.isArray(rule.then) ? rule.then : [];
    rule.then.forEach(function (item, k) { body.appendChild(actionEditor(rule, item, k, changed)); });
    body.appendChild(btn("+ " + S.add_action, "btn-outline-primary add-action", function () {
      var used = rule.then.map(function (t) { return t.action; });
      var free = P.actions.filter(function (a) { return used.indexOf(a.name) < 0; })[0] || P.actions[0];
      rule.then.push({action: free.name, params: {}}); rerender();
    }));
    card.appendChild(header);
    card.appendChild(body);
    return card;
  }

  function rerender() {
    var list = document.getElementById("rules");
    list.innerHTML = "";
    def.rules.forEach(function (r, i) { list.appendChild(ruleCard(r, i)); });
    if (!def.rules.length) list.appendChild(el("p", {class: "text-muted", text: S.no_rules}));
    dirty();
  }

  function dirty() { document.getElementById("rules-status").textContent = S.unsaved; }

  /* -- talking to the server ------------------------------------------------------------- */
  function prune(node) {
    var key = groupKey(node);
    if (!key) return node;
    var out = {}; out[key] = node[key].map(prune);
    return out;
  }

  function serialize() {
    var cases;
    try { cases = JSON.parse(document.getElementById("cases").value || "[]"); }
    catch (e) { show([S.cases_invalid], "danger"); return null; }
    var rules = def.rules.map(function (r) {
      var when = r.when && r.when[groupKey(r.when)].length ? prune(r.when) : null;
      return {id: r.id, name: r.name || "", enabled: r.enabled !== false, "continue": r["continue"] === true,
              when: when, then: r.then.map(function (t) {
                var params = {};
                Object.keys(t.params || {}).forEach(function (k) {
                  if (t.params[k] !== null && t.params[k] !== "") params[k] = t.params[k];
                });
                return {action: t.action, params: params};
              })};
    });
    var out = {rules: rules, cases: cases};
    if (def.name) out.name = def.name;
    if (def.description) out.description = def.description;
    return out;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
                       headers: {"Content-Type": "application/json", "Accept": "application/json",
                                 "X-CSRFToken": state.csrf}})
      .then(function (r) { return r.json().then(function (j) { return {status: r.status, body: j}; }); })
      .catch(function () { return {status: 0, body: {ok: false, error: {message: S.network_error}}}; });
  }

  function show(lines, kind) {
    var box = document.getElementById("rules-messages");
    box.innerHTML = "";
    if (!lines.length) return;
    var ul = el("ul", {class: "mb-0"});
    lines.forEach(function (t) { ul.appendChild(el("li", {class: "problem", text: t})); });
    box.appendChild(el("div", {class: "alert alert-" + kind, role: "alert"}, [ul]));
  }

  function reasons(body) {
    if (body.problems && body.problems.length) return body.problems.map(function (p) { return p.message; });
    return [body.error ? body.error.message : S.network_error];
  }

  function setStatus(text) { document.getElementById("rules-status").textContent = text; }

  function onSave() {
    var d = serialize(); if (!d) return;
    post(state.urls.save_draft, {definition: d}).then(function (r) {
      if (r.body.ok) { show([], ""); setStatus(S.saved); } else show(reasons(r.body), "danger");
    });
  }
  function onValidate() {
    var d = serialize(); if (!d) return;
    post(state.urls.validate, {definition: d}).then(function (r) {
      if (r.body.ok) { show([S.valid], "success"); } else show(reasons(r.body), "danger");
    });
  }
  function onPublish() {
    var d = serialize(); if (!d) return;
    var note = document.getElementById("publish-note").value;
    post(state.urls.publish, {definition: d, note: note}).then(function (r) {
      if (r.body.ok) {
        state.published_version = r.body.version;
        document.getElementById("published-version").textContent = "v" + r.body.version;
        show([fmt(S.published, {version: r.body.version})], "success");
        setStatus(fmt(S.published, {version: r.body.version}));
      } else {
        show([S.refused].concat(reasons(r.body)), "danger");
      }
    });
  }

  window.KefuRules = {state: state, serialize: serialize, post: post, lbl: lbl, fmt: fmt, el: el,
                      fact: fact, actionSpec: actionSpec, choicesOf: choicesOf, reasons: reasons};
  document.getElementById("cases").value = JSON.stringify(def.cases, null, 2);
  document.getElementById("cases").addEventListener("input", dirty);
  document.getElementById("add-rule").addEventListener("click", function () {
    def.rules.push({id: nextId(), name: S.new_rule + " " + (def.rules.length + 1), enabled: true,
                    "continue": false, when: {all: []}, then: []});
    rerender();
  });
  document.getElementById("save-draft").addEventListener("click", onSave);
  document.getElementById("validate").addEventListener("click", onValidate);
  document.getElementById("publish").addEventListener("click", onPublish);
  rerender();
  setStatus(state.has_draft ? S.draft_loaded : S.published_loaded);
  document.getElementById("rules-editor").setAttribute("data-ready", "1");
})();
