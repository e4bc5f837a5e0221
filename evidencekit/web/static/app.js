/* evidencekit self-assessment: small enhancements; every page works without them.
   1. Show only the parts of a form that apply to the answers given (data-when).
   2. Save answers as they are typed (forms with data-autosave), so a reload keeps them.
   3. Check an upload's size before sending it (data-max-bytes). */
(function () {
  "use strict";

  function currentValue(form, name) {
    var checked = form.querySelector('input[type=radio][name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var el = form.elements.namedItem(name);
    if (el && !(el instanceof RadioNodeList) && el.value !== undefined) { return el.value; }
    var defaults = { "outcome.kind": "continuous", "outcome.direction": "higher_is_better", "source": "summary" };
    return defaults[name] || "";
  }

  function applyWhen(form) {
    form.querySelectorAll("[data-when]").forEach(function (el) {
      var when = JSON.parse(el.getAttribute("data-when"));
      var show = Object.keys(when).every(function (name) {
        return when[name].indexOf(currentValue(form, name)) !== -1;
      });
      el.hidden = !show;
    });
    form.querySelectorAll(".applies").forEach(function (p) { p.hidden = true; });
  }

  function autosave(form) {
    var timer = null;
    function save() {
      var body = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") { body.append(name, value); }
      });
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                           headers: { "X-Autosave": "1" } }).catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(save, 400); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  function checkSize(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById(input.id + "-client");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (file && file.size > max) {
        message.textContent = "Error: the file is larger than the " + input.getAttribute("data-max-text") +
          " limit. Save only the columns the evaluation needs, or save it as Parquet, which is smaller, and choose it again.";
        message.hidden = false;
        message.setAttribute("role", "alert");
        input.setAttribute("aria-invalid", "true");
        input.value = "";
      } else {
        message.hidden = true;
        message.textContent = "";
        input.removeAttribute("aria-invalid");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-when]")) {
        applyWhen(form);
        form.addEventListener("change", function () { applyWhen(form); });
      }
      if (form.hasAttribute("data-autosave")) { autosave(form); }
    });
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(checkSize);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
