// The workbench's only script. The record-position slider shows its value while it
// moves and, once let go, joins the form and submits it (a time control changes the
// map, the table and the address together). A live page (no record time pinned)
// listens to the workbench's stream and, when its projection has folded further,
// fetches itself again and puts the new page in place. Pages work without it.
"use strict";
function wire(root) {
  root.querySelectorAll("input[data-submit-on-change]").forEach((slider) => {
    const shown = slider.closest("fieldset").querySelector("output");
    slider.addEventListener("input", () => {
      if (shown) shown.textContent = slider.value;
    });
    slider.addEventListener("change", () => {
      slider.name = slider.dataset.name;
      slider.form.requestSubmit();
    });
  });
  const reading = root.querySelector("[data-live]");
  if (!reading || !window.EventSource) return;
  const source = new EventSource(reading.dataset.live);
  source.addEventListener("moved", async () => {
    source.close();
    const answer = await fetch(location.href, { credentials: "same-origin" });
    if (!answer.ok || answer.redirected) return location.reload();
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    const main = fresh.querySelector("main");
    if (!main) return location.reload();
    document.querySelector("main").replaceWith(main);
    wire(main);
  });
}
wire(document);
