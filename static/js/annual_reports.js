/* Annual report: autosave companion (htmx does the saving).
 * Keeps unsent text in localStorage per (report, question) so a closed tab, an expired session or a
 * dropped connection never loses it; resends it on page load and when the browser is back online.
 * Table editor: add/remove rows. No inline script: loaded with defer from the page. */
(function () {
  "use strict";
  var PREFIX = "psynet:report:";

  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function forms() { return document.querySelectorAll("form[data-answer-key]:not([data-conflict])"); }
  function fields(form) {
    var out = [];
    form.querySelectorAll("textarea[name], input[name]").forEach(function (el) {
      if (el.name === "value" || el.name.indexOf("col_") === 0) out.push([el.name, el.value]);
    });
    return out;
  }
  function versionOf(form) {
    var v = form.querySelector("input[name=version]");
    return v ? parseInt(v.value || "0", 10) : 0;
  }
  function setStatus(form, text, isError) {
    var el = form.querySelector(".answer-status-text");
    if (!el || !text) return;
    el.textContent = text;
    el.classList.toggle("text-danger", !!isError);
  }
  function remember(form) {
    var s = store(); if (!s) return;
    s.setItem(form.dataset.answerKey, JSON.stringify({fields: fields(form), version: versionOf(form), at: Date.now()}));
  }
  function pending(form) {
    var s = store(); if (!s) return null;
    try { return JSON.parse(s.getItem(form.dataset.answerKey) || "null"); } catch (e) { return null; }
  }
  function sameFields(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function restore(form, entry) {
    var tbody = form.querySelector("tbody[data-rows]");
    if (tbody) {
      var rows = {};
      entry.fields.forEach(function (f) { (rows[f[0]] = rows[f[0]] || []).push(f[1]); });
      var count = Math.max.apply(null, [0].concat(Object.keys(rows).map(function (k) { return rows[k].length; })));
      tbody.innerHTML = "";
      for (var i = 0; i < count; i++) addRow(form);
      Object.keys(rows).forEach(function (name) {
        form.querySelectorAll("[name='" + name + "']").forEach(function (el, j) { el.value = rows[name][j] || ""; });
      });
    } else {
      entry.fields.forEach(function (f) {
        var el = form.querySelector("[name='" + f[0] + "']");
        if (el) el.value = f[1];
      });
    }
    var v = form.querySelector("input[name=version]");
    if (v) v.value = entry.version;  /* the version the text was based on: a newer server version gives a conflict */
  }

  function serverFields(form) {
    /* the values as the server rendered them (before any typing or restoring) */
    var out = [];
    form.querySelectorAll("textarea[name], input[name]").forEach(function (el) {
      if (el.name === "value" || el.name.indexOf("col_") === 0) out.push([el.name, el.defaultValue]);
    });
    return out;
  }

  function resend(form) {
    if (!window.htmx) return;
    if (form.dataset.restored === "1") {  /* already restored on this page: just send again */
      if (pending(form)) window.htmx.trigger(form, "psynet:resend");
      return;
    }
    var entry = pending(form);
    if (!entry) return;
    if (sameFields(entry.fields, serverFields(form))) {
      store().removeItem(form.dataset.answerKey);  /* the server already has this text */
      return;
    }
    if (!sameFields(entry.fields, fields(form))) restore(form, entry);
    form.dataset.restored = "1";
    setStatus(form, form.dataset.msgUnsaved);
    window.htmx.trigger(form, "psynet:resend");
  }

  function addRow(form) {
    var tpl = form.querySelector("template[data-row-template]");
    var tbody = form.querySelector("tbody[data-rows]");
    if (tpl && tbody) tbody.appendChild(tpl.content.cloneNode(true));
  }

  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("form[data-answer-key]");
    if (form && !form.dataset.conflict) { remember(form); setStatus(form, form.dataset.msgUnsaved); }
  });

  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    var remove = e.target.closest("[data-remove-row]");
    var discard = e.target.closest("[data-discard-local]");
    if (add) {
      var form = add.closest("form");
      addRow(form);
      var last = form.querySelector("tbody[data-rows] tr:last-child textarea");
      if (last) last.focus();
    } else if (remove) {
      var f = remove.closest("form");
      remove.closest("tr").remove();
      remember(f);
      f.dispatchEvent(new Event("input", {bubbles: true}));
    } else if (discard) {
      var s = store(); if (s) s.removeItem(discard.dataset.discardLocal);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (form.matches && form.matches("form[data-answer-key]")) {
      form.dataset.sentAt = String(Date.now());
      setStatus(form, form.dataset.msgSaving);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status === 409 || status === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (status === 200 && elt && elt.matches && elt.matches("form[data-answer-key]") &&
        !e.detail.xhr.getResponseHeader("X-Psynet-Saved")) {
      e.detail.shouldSwap = false;  /* e.g. the login page after an expired session: not saved */
    }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!(form.matches && form.matches("form[data-answer-key]"))) return;
    var xhr = e.detail.xhr;
    var saved = xhr && xhr.status === 200 && xhr.getResponseHeader("X-Psynet-Saved");
    if (saved) {
      var entry = pending(form);
      var sentAt = parseInt(form.dataset.sentAt || "0", 10);
      if (entry && entry.at <= sentAt && store()) store().removeItem(form.dataset.answerKey);
      else if (entry) { entry.version = parseInt(saved, 10); store().setItem(form.dataset.answerKey, JSON.stringify(entry)); }
    } else if (xhr && xhr.status === 200) {
      setStatus(form, form.dataset.msgSession, true);
    } else if (!xhr || xhr.status === 0 || xhr.status >= 500) {
      setStatus(form, form.dataset.msgFailed, true);
    }
  });

  function resendAll() { forms().forEach(resend); }
  window.addEventListener("online", resendAll);
  /* htmx fires htmx:load on the body once it has wired the page, then on every swapped fragment */
  document.addEventListener("htmx:load", function (e) {
    var el = e.detail.elt;
    if (el && el.querySelectorAll) el.querySelectorAll("form[data-answer-key]:not([data-conflict])").forEach(resend);
  });
})();
