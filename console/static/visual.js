// Gatehouse console: the visual policy editor. It edits the same JSON
// document as the JSON editor (the textarea is the one source of truth):
// service → actions by access level → resources from the ARN templates of
// the chosen actions → conditions with the keys they support, all from the
// Service Authorization Reference the server embeds.
"use strict";
(function () {
  var host = document.getElementById("visual-editor");
  var doc = document.getElementById("policy-document");
  if (!host || !doc) return;
  var pane = document.getElementById("json-pane");
  var tabV = document.getElementById("tab-visual");
  var tabJ = document.getElementById("tab-json");
  var account = host.dataset.account || "";
  var LEVELS = ["List", "Read", "Write", "Permissions management", "Tagging"];
  var OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnLike",
    "NumericEquals", "NumericLessThan", "NumericGreaterThan", "DateLessThan", "DateGreaterThan",
    "Bool", "IpAddress", "NotIpAddress", "Null"];
  var GLOBAL_KEYS = ["aws:SourceIp", "aws:MultiFactorAuthPresent", "aws:SecureTransport", "aws:RequestedRegion",
    "aws:CurrentTime", "aws:PrincipalTag/${TagKey}", "aws:PrincipalArn", "aws:SourceVpc", "aws:UserAgent"];
  var services = null;
  var details = {};
  var model = null;
  var chosenService = new WeakMap(); // a statement's service before it has actions

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (ev) { e.addEventListener(ev, attrs.on[ev]); });
      else if (attrs[k] === true) e.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k) e.appendChild(typeof k === "string" ? document.createTextNode(k) : k); });
    return e;
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function arr(v) { return v === undefined || v === null ? [] : Array.isArray(v) ? v.slice() : [v]; }
  function parse() {
    try {
      var d = JSON.parse(doc.value);
      return d && typeof d === "object" && !Array.isArray(d) ? d : null;
    } catch (e) { return null; }
  }
  function write() {
    doc.value = JSON.stringify(model, null, 2);
    doc.dispatchEvent(new Event("gatehouse:changed"));
  }
  function prefixOf(st) {
    var a = arr(st.Action)[0];
    if (typeof a === "string" && a.indexOf(":") > 0) return a.split(":")[0].toLowerCase();
    return chosenService.get(st) || "";
  }
  function editable(st) {
    if (st.NotAction || st.NotResource || st.Principal || st.NotPrincipal) return false;
    var p = null, ok = true;
    arr(st.Action).forEach(function (a) {
      if (typeof a !== "string" || a.indexOf(":") < 1) { ok = false; return; }
      var q = a.split(":")[0].toLowerCase();
      if (p !== null && p !== q) ok = false;
      p = q;
    });
    return ok;
  }
  function pattern(a) {
    return new RegExp("^" + a.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i");
  }
  function covered(st, full) {
    return arr(st.Action).some(function (a) { return a.toLowerCase() === full.toLowerCase() || (/[*?]/.test(a) && pattern(a).test(full)); });
  }
  function template(arn) {
    return arn.replace("${Partition}", "aws").replace("${Account}", account || "*").replace("${Region}", "*");
  }

  function render() {
    host.textContent = "";
    model.Statement = arr(model.Statement);
    model.Statement.forEach(function (st, i) { host.appendChild(block(st, i)); });
    host.appendChild(el("button", { type: "button", id: "ve-add-statement", on: { click: function () {
      model.Statement.push({ Effect: "Allow", Action: [], Resource: "*" });
      write(); render();
    } } }, ["Add statement"]));
  }

  function block(st, i) {
    var box = el("fieldset", { class: "ve-service", "data-statement": String(i) });
    box.appendChild(el("legend", { text: "Statement " + (i + 1) + (st.Sid ? " (" + st.Sid + ")" : "") }));
    if (!editable(st)) {
      box.appendChild(el("p", { class: "hint", text: "This statement uses NotAction, NotResource, a principal or several services: edit it in the JSON editor." }));
      box.appendChild(el("pre", { class: "code", text: JSON.stringify(st, null, 2) }));
      return box;
    }
    var effect = el("select", { "aria-label": "Effect", on: { change: function () { st.Effect = effect.value; write(); } } },
      ["Allow", "Deny"].map(function (v) { return el("option", { value: v, selected: st.Effect === v, text: v }); }));
    var remove = el("button", { type: "button", class: "link danger", on: { click: function () {
      model.Statement.splice(i, 1); write(); render();
    } } }, ["Remove statement"]);
    box.appendChild(el("div", { class: "row" }, [el("label", { text: "Effect" }), effect, remove]));
    var prefix = prefixOf(st);
    var svc = el("select", { class: "ve-service-select", "aria-label": "Service", on: { change: function () {
      st.Action = [];
      chosenService.set(st, svc.value);
      write(); render();
    } } }, [el("option", { value: "", text: "Choose a service" })].concat((services || []).map(function (s) {
      return el("option", { value: s.prefix, selected: s.prefix === prefix, text: s.name + " (" + s.prefix + ")" });
    })));
    box.appendChild(el("label", { text: "Service" }));
    box.appendChild(svc);
    if (!prefix) return box;
    var body = el("div", {}, [el("p", { class: "hint", text: "Loading " + prefix + "…" })]);
    box.appendChild(body);
    (details[prefix] ? Promise.resolve(details[prefix]) : getJSON("/ui/authref/services/" + encodeURIComponent(prefix)))
      .then(function (d) { details[prefix] = d; body.textContent = ""; fill(body, st, d); })
      .catch(function () { body.textContent = "The service reference could not be loaded."; });
    return box;
  }

  function fill(body, st, d) {
    // Actions by access level.
    var all = d.prefix + ":*";
    body.appendChild(el("h3", { text: "Actions" }));
    var allBox = el("input", { type: "checkbox", checked: covered(st, all) && arr(st.Action).some(function (a) { return a === all || a === "*"; }),
      on: { change: function () { st.Action = allBox.checked ? [all] : []; write(); render(); } } });
    body.appendChild(el("label", { class: "check" }, [allBox, "All " + d.name + " actions (" + all + ")"]));
    var filter = el("input", { type: "search", placeholder: "Filter actions", "aria-label": "Filter actions", class: "ve-filter" });
    body.appendChild(filter);
    var lists = el("div", { class: "ve-actions" });
    LEVELS.forEach(function (level) {
      var acts = d.actions.filter(function (a) { return a.level.split(", ").indexOf(level) >= 0; });
      if (!acts.length) return;
      var group = el("div", { class: "ve-level" }, [el("h4", { text: level + " (" + acts.length + ")" })]);
      acts.forEach(function (a) {
        var full = d.prefix + ":" + a.name;
        var on = covered(st, full);
        var explicit = arr(st.Action).some(function (x) { return x.toLowerCase() === full.toLowerCase(); });
        var cb = el("input", { type: "checkbox", value: full, checked: on, disabled: on && !explicit, "data-action": full, on: { change: function () {
          var rest = arr(st.Action).filter(function (x) { return x.toLowerCase() !== full.toLowerCase(); });
          if (cb.checked) rest.push(full);
          st.Action = rest;
          write(); render();
        } } });
        group.appendChild(el("label", { "data-name": a.name.toLowerCase() }, [cb, a.name]));
      });
      lists.appendChild(group);
    });
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      lists.querySelectorAll("label").forEach(function (l) { l.hidden = q !== "" && l.dataset.name.indexOf(q) < 0; });
    });
    body.appendChild(lists);

    // Resources: the ARN templates of the chosen actions' resource types.
    var chosen = d.actions.filter(function (a) { return covered(st, d.prefix + ":" + a.name); });
    var types = {};
    chosen.forEach(function (a) { (a.resources || []).forEach(function (r) { types[r] = true; }); });
    body.appendChild(el("h3", { text: "Resources" }));
    var any = arr(st.Resource).length === 1 && arr(st.Resource)[0] === "*";
    var anyBox = el("input", { type: "checkbox", class: "ve-any", checked: any, on: { change: function () {
      st.Resource = anyBox.checked ? "*" : [];
      write(); render();
    } } });
    body.appendChild(el("label", { class: "check" }, [anyBox, "Any resource (*)"]));
    if (!any) {
      var list = el("textarea", { rows: "3", class: "ve-resources", "aria-label": "Resource ARNs, one per line", spellcheck: "false" });
      list.value = arr(st.Resource).join("\n");
      list.addEventListener("input", function () {
        st.Resource = list.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
        write();
      });
      body.appendChild(list);
      var chips = el("div", { class: "row" });
      d.resources.filter(function (r) { return types[r.name]; }).forEach(function (r) {
        chips.appendChild(el("button", { type: "button", class: "ve-arn", title: r.arn, "data-type": r.name, on: { click: function () {
          st.Resource = arr(st.Resource).concat([template(r.arn)]);
          write(); render();
        } } }, ["+ " + r.name + ": " + template(r.arn)]));
      });
      if (!chips.childNodes.length) chips.appendChild(el("span", { class: "hint", text: chosen.length ? "The chosen actions take only \"*\"." : "Choose actions to see their resource types." }));
      body.appendChild(chips);
    }

    // Conditions: the keys the chosen actions and their resource types support.
    body.appendChild(el("h3", { text: "Conditions" }));
    var keys = {};
    chosen.forEach(function (a) { (a.keys || []).forEach(function (k) { keys[k] = true; }); });
    d.resources.forEach(function (r) { if (types[r.name]) (r.keys || []).forEach(function (k) { keys[k] = true; }); });
    GLOBAL_KEYS.forEach(function (k) { keys[k] = true; });
    var cond = st.Condition || {};
    var rows = el("ul", { class: "plain" });
    Object.keys(cond).forEach(function (op) {
      Object.keys(cond[op]).forEach(function (k) {
        rows.appendChild(el("li", {}, [el("code", { text: op + " " + k + " = " + JSON.stringify(cond[op][k]) }), " ",
          el("button", { type: "button", class: "link danger", on: { click: function () {
            delete cond[op][k];
            if (!Object.keys(cond[op]).length) delete cond[op];
            if (Object.keys(cond).length) st.Condition = cond; else delete st.Condition;
            write(); render();
          } } }, ["Remove"])]));
      });
    });
    body.appendChild(rows);
    var listID = "ve-keys-" + Math.random().toString(36).slice(2);
    var opSel = el("select", { "aria-label": "Condition operator" }, OPERATORS.map(function (o) { return el("option", { value: o, text: o }); }));
    var keyIn = el("input", { list: listID, placeholder: "Condition key", "aria-label": "Condition key", class: "ve-key" });
    var dl = el("datalist", { id: listID }, Object.keys(keys).sort().map(function (k) { return el("option", { value: k }); }));
    var valIn = el("input", { placeholder: "Value(s), comma-separated", "aria-label": "Condition value", class: "ve-value" });
    var add = el("button", { type: "button", class: "ve-add-condition", on: { click: function () {
      var k = keyIn.value.trim();
      if (!k || !valIn.value.trim()) return;
      var vals = valIn.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      cond[opSel.value] = cond[opSel.value] || {};
      cond[opSel.value][k] = vals.length === 1 ? vals[0] : vals;
      st.Condition = cond;
      write(); render();
    } } }, ["Add condition"]);
    body.appendChild(el("div", { class: "row" }, [opSel, keyIn, dl, valIn, add]));
  }

  function show(visual) {
    tabV.setAttribute("aria-selected", String(visual));
    tabJ.setAttribute("aria-selected", String(!visual));
    host.hidden = !visual;
    pane.hidden = visual;
  }
  tabJ.addEventListener("click", function () { show(false); });
  tabV.addEventListener("click", function () {
    model = parse();
    show(true);
    if (!model) {
      host.textContent = "";
      host.appendChild(el("div", { class: "alert", role: "alert", text: "The document is not valid JSON: fix it in the JSON editor first." }));
      return;
    }
    if (!model.Version) model.Version = "2012-10-17";
    if (services) { render(); return; }
    host.textContent = "Loading the service reference…";
    getJSON("/ui/authref/services").then(function (s) { services = s; render(); })
      .catch(function () { host.textContent = "The service reference could not be loaded."; });
  });
})();
