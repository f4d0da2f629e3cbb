/* kefu rule editor, part two: the sandbox (explain a decision) and the dry run. */
(function () {
  "use strict";
  var K = window.KefuRules, state = K.state, S = state.strings, P = state.point, el = K.el, lbl = K.lbl;

  function shown(spec, value) {
    if (value === undefined || value === null) return "—";
    if (Array.isArray(value)) return value.map(function (v) { return shown(spec, v); }).join(", ");
    if (spec && (spec.type === "enum" || spec.type === "ref" || spec.type === "multi_enum")) {
      var c = K.choicesOf(spec).filter(function (x) { return x.value === value; })[0];
      if (c) return c.text;
    }
    if (value === true) return S.yes;
    if (value === false) return S.no;
    return String(value);
  }

  /* -- the facts form -------------------------------------------------------------------- */
  function factInput(f) {
    var id = "fact-" + f.name, input;
    if (f.type === "enum" || f.type === "ref" || f.type === "bool") {
      input = el("select", {id: id, class: "form-control form-control-sm"});
      input.appendChild(el("option", {value: "", text: S.unset}));
      var opts = f.type === "bool" ? [{value: "true", text: S.yes}, {value: "false", text: S.no}] : K.choicesOf(f);
      opts.forEach(function (c) { input.appendChild(el("option", {value: c.value, text: c.text})); });
    } else {
      input = el("input", {id: id, type: f.type === "number" ? "number" : "text", step: "any",
                           class: "form-control form-control-sm",
                           placeholder: f.type === "tags" ? S.comma_hint : ""});
    }
    return el("div", {class: "form-group col-md-4 mb-1"}, [
      el("label", {for: id, class: "small mb-0", text: lbl(f.label)}), input]);
  }

  function readFacts() {
    var facts = {};
    P.facts.forEach(function (f) {
      var raw = document.getElementById("fact-" + f.name).value;
      if (raw === "") return;
      if (f.type === "number" || f.type === "ref") facts[f.name] = Number(raw);
      else if (f.type === "bool") facts[f.name] = raw === "true";
      else if (f.type === "tags") facts[f.name] = raw.split(/[,，]/).map(function (t) { return t.trim(); }).filter(Boolean);
      else facts[f.name] = raw;
    });
    return facts;
  }

  function fillFacts(facts) {
    P.facts.forEach(function (f) {
      var v = facts[f.name], input = document.getElementById("fact-" + f.name);
      if (v === undefined || v === null) input.value = "";
      else if (Array.isArray(v)) input.value = v.join(", ");
      else input.value = String(v);
    });
  }

  /* -- rendering an explanation ---------------------------------------------------------- */
  function actionsText(actions) {
    return Object.keys(actions).map(function (name) {
      var spec = K.actionSpec(name), params = actions[name] || {};
      var parts = (spec ? spec.params : []).filter(function (p) { return params[p.name] !== undefined; })
        .map(function (p) { return lbl(p.label) + ": " + shown(p, params[p.name]); });
      return (spec ? lbl(spec.label) : name) + (parts.length ? " (" + parts.join(", ") + ")" : "");
    });
  }

  function tree(node) {
    if (!node) return el("div", {class: "small text-muted", text: S.always});
    var mark = node.result ? "✓" : "✗", cls = node.result ? "text-success" : "text-danger";
    if (node.group) {
      var box = el("div", {class: "pl-2 border-left"}, [
        el("div", {class: "small " + cls, text: mark + " " + S["group_" + node.group]})]);
      node.children.forEach(function (c) { box.appendChild(tree(c)); });
      return box;
    }
    var spec = K.fact(node.field);
    var text = mark + " " + lbl(node.label) + " " + lbl(node.op_label) +
      (node.value === undefined || node.value === null ? "" : " " + shown(spec, node.value)) +
      " — " + S.actual + ": " + (node.present ? shown(spec, node.actual) : S.missing_value);
    return el("div", {class: "small cond-result " + cls, text: text});
  }

  function showExplanation(body) {
    var out = document.getElementById("sandbox-result");
    out.innerHTML = "";
    if (!body.ok) { out.appendChild(el("div", {class: "alert alert-danger", text: K.reasons(body).join("; ")})); return; }
    var d = body.decision;
    out.appendChild(el("div", {class: "alert alert-info", id: "sandbox-decision"}, [
      el("strong", {text: S.decision + ": "}),
      document.createTextNode((d.rule_name ? "「" + d.rule_name + "」 → " : S.no_rule + " → ") +
                              actionsText(d.actions).join("; "))]));
    body.rules.forEach(function (r, i) {
      var badge = r.applied ? ["badge-success", S.applied] : r.matched ? ["badge-info", S.matched]
        : !r.enabled ? ["badge-secondary", S.disabled] : ["badge-light", S.not_matched];
      out.appendChild(el("div", {class: "border rounded p-2 mb-1 explain-rule", "data-rule": r.id}, [
        el("div", {}, [el("strong", {text: "#" + (i + 1) + " " + r.name + " "}),
                       el("span", {class: "badge " + badge[0], text: badge[1]})]),
        tree(r.conditions)]));
    });
  }

  function runSandbox() {
    var use = document.getElementById("sandbox-use").value;
    var body = {facts: readFacts(), use: use};
    if (use === "draft") { body.definition = K.serialize(); if (!body.definition) return; }
    K.post(state.urls.sandbox, body).then(function (r) { showExplanation(r.body); });
  }

  /* -- dry run --------------------------------------------------------------------------- */
  function runDry() {
    var d = K.serialize(); if (!d) return;
    var limit = parseInt(document.getElementById("dry-limit").value, 10) || 200;
    K.post(state.urls.dry_run, {definition: d, limit: limit}).then(function (r) {
      var out = document.getElementById("dry-result"), b = r.body;
      out.innerHTML = "";
      if (!b.ok) { out.appendChild(el("div", {class: "alert alert-danger", text: K.reasons(b).join("; ")})); return; }
      out.appendChild(el("p", {id: "dry-summary", "data-changed": b.changed, "data-total": b.total,
                               text: K.fmt(S.dry_result, {changed: b.changed, total: b.total})}));
      if (!b.examples.length) return;
      var table = el("table", {class: "table table-sm"}, [el("thead", {}, [el("tr", {}, [
        el("th", {text: S.conversation}), el("th", {text: S.before}), el("th", {text: S.after})])])]);
      var tbody = el("tbody");
      b.examples.forEach(function (x) {
        var cell = function (s) { return el("td", {text: (s.rule ? "「" + s.rule + "」 " : S.no_rule + " ") + s.actions.join("; ")}); };
        tbody.appendChild(el("tr", {}, [el("td", {text: "#" + x.conversation_id}), cell(x.before), cell(x.after)]));
      });
      table.appendChild(tbody);
      out.appendChild(table);
    });
  }

  var form = document.getElementById("sandbox-facts");
  P.facts.forEach(function (f) { form.appendChild(factInput(f)); });
  var recent = document.getElementById("sandbox-recent");
  state.recent.forEach(function (r, i) {
    recent.appendChild(el("option", {value: i, text: "#" + r.conversation_id + " · " + (r.created_at || "").slice(0, 16).replace("T", " ") +
                                     (r.rule_name ? " · " + r.rule_name : "")}));
  });
  recent.addEventListener("change", function () {
    if (recent.value !== "") fillFacts(state.recent[+recent.value].facts);
  });
  document.getElementById("sandbox-run").addEventListener("click", runSandbox);
  document.getElementById("dry-run").addEventListener("click", runDry);
})();
