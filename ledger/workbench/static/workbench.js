// The workbench's only script: the record-position slider shows its value while it
// moves and, once let go, joins the form and submits it (a time control changes the
// map, the table and the address together). Pages work without it.
"use strict";
document.querySelectorAll("input[data-submit-on-change]").forEach((slider) => {
  const shown = slider.closest("fieldset").querySelector("output");
  slider.addEventListener("input", () => {
    if (shown) shown.textContent = slider.value;
  });
  slider.addEventListener("change", () => {
    slider.name = slider.dataset.name;
    slider.form.requestSubmit();
  });
});
