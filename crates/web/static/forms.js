// Selects marked data-submit-on-change send their form when a value is picked (the page's
// Content-Security-Policy runs no inline handler).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
    target.form.submit();
  }
});
