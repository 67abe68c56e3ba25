// Selects marked data-submit-on-change send their form when a value is picked (the page's
// Content-Security-Policy runs no inline handler).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
    target.form.submit();
  }
});

// Destructive acts ask first (issue 20): a form, or the button pressed, with data-confirm is
// sent only when the user agrees to the question it holds.
document.addEventListener("submit", (event) => {
  // A form that signs asks its own question before signing (sign.js).
  if (event.target.hasAttribute && event.target.hasAttribute("data-sign")) return;
  const asker = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const question = asker.dataset ? asker.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A select marked data-narrows="id" shows in the select `id` only the group of options of the
// value picked (the subprograms of the program picked); without script every group shows.
function narrow(picker) {
  const target = document.getElementById(picker.dataset.narrows);
  if (!target) return;
  for (const group of target.querySelectorAll("optgroup[data-program]")) {
    const mine = group.dataset.program === picker.value;
    group.hidden = !mine;
    group.disabled = !mine;
  }
  const chosen = target.selectedOptions[0];
  if (chosen && chosen.parentElement.disabled) target.value = "";
}
document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLSelectElement && event.target.dataset.narrows) narrow(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  for (const picker of document.querySelectorAll("select[data-narrows]")) narrow(picker);
});
