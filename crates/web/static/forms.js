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
  const asker = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const question = asker.dataset ? asker.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
