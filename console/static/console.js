// Gatehouse console: small progressive enhancements. Every page works
// without them; no inline scripts (the CSP forbids them).
"use strict";
(function () {
  // Tables filter as you type (the server filters too, on submit).
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.dataset.filter);
    if (!table) return;
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
  // Destructive forms ask first.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
  // Copy buttons.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.dataset.copy);
      if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent).then(function () { b.textContent = "Copied"; });
    });
  });
  // Sign-in: the root user signs in with an access key.
  var root = document.getElementById("root");
  if (root) {
    var box = root.closest(".signin");
    var sync = function () { box.classList.toggle("root", root.checked); };
    root.addEventListener("change", sync);
    sync();
  }
  // Policy editor: Access Analyzer's ValidatePolicy as you type (debounced).
  var doc = document.querySelector("textarea[data-validate]");
  if (doc) {
    var form = doc.form, list = document.getElementById("findings"), timer = null, seq = 0;
    var csrf = form.querySelector("input[name=csrf]").value;
    var show = function (items) {
      list.textContent = "";
      items.forEach(function (f) {
        var li = document.createElement("li");
        li.className = "finding " + f.type;
        var strong = document.createElement("strong");
        strong.textContent = f.type === "OK" ? "No findings" : f.type + " · " + f.issue;
        li.appendChild(strong);
        if (f.details) li.appendChild(document.createTextNode(" " + f.details + (f.line ? " (line " + f.line + ", column " + f.column + ")" : "")));
        list.appendChild(li);
      });
    };
    var validate = function () {
      var mine = ++seq;
      var body = new URLSearchParams({ document: doc.value, type: "IDENTITY_POLICY" });
      fetch(doc.dataset.validate, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { return r.json(); })
        .then(function (out) {
          if (mine !== seq) return;
          if (out.error) { show([{ type: "ERROR", issue: out.error.Code, details: out.error.Message }]); return; }
          show(out.findings.length ? out.findings : [{ type: "OK", issue: "", details: "" }]);
          list.dataset.count = String(out.findings.length);
        })
        .catch(function () { if (mine === seq) show([{ type: "WARNING", issue: "unavailable", details: "Validation could not be reached." }]); });
    };
    // Before you save: the actions the edit grants or takes away.
    var changes = document.getElementById("changes"), original = document.getElementById("original-document"), dseq = 0;
    var diff = function () {
      if (!changes) return;
      var mine = ++dseq;
      fetch(changes.dataset.diff, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf },
        body: new URLSearchParams({ before: original.value, after: doc.value }) })
        .then(function (r) { return r.json(); })
        .then(function (out) {
          if (mine !== dseq) return;
          changes.textContent = "";
          var add = function (cls, text) { var li = document.createElement("li"); li.className = cls; li.textContent = text; changes.appendChild(li); };
          if (out.invalid) { add("hint", "Fix the JSON to see the change."); return; }
          if (!out.changes.length) { add("hint", "No change in the actions granted."); return; }
          out.changes.forEach(function (c) {
            c.added.forEach(function (a) { add("finding SECURITY_WARNING change-added", "+ " + a); });
            c.removed.forEach(function (a) { add("finding SUGGESTION change-removed", "− " + a); });
            if (c.more) add("hint", "… and " + c.more + " more " + c.service + " actions");
          });
        })
        .catch(function () {});
    };
    var both = function () { validate(); diff(); };
    doc.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(both, 400); });
    doc.addEventListener("gatehouse:changed", function () { clearTimeout(timer); timer = setTimeout(both, 50); });
    both();
  }
})();
