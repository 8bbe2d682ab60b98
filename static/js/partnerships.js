// Public collaboration form: a co-consultation needs the service's own care or aid provider (seed 004).
// When the visitor answers "no", the co-consultation choices are disabled and unticked; the server checks it too.
(function () {
  "use strict";
  function update(form) {
    var chosen = form.querySelector('input[name="has_own_provider"]:checked');
    var none = chosen && chosen.value === "no";
    form.querySelectorAll('input[name="support_wanted"][value="co_consultation"], ' +
                          'input[name="offers"][value="art8_coconsultation"]').forEach(function (box) {
      if (none) { box.checked = false; }
      box.disabled = none;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.collaboration-form");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "has_own_provider") { update(form); }
    });
    update(form);
  });
})();
