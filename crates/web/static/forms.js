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

// A table marked data-sheet is typed like a spreadsheet (issue 22): a block copied from Excel
// fills the inputs from the one pasted into, rows by line breaks and cells by tabs; Enter and
// the up and down arrows move to the same column of the next or previous row.
function sheetInputs(row) {
  return Array.from(row.querySelectorAll("input:not([type=hidden])"));
}
document.addEventListener("paste", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.closest("table[data-sheet]")) return;
  const text = (event.clipboardData || window.clipboardData).getData("text");
  if (!/[\t\n]/.test(text)) return;
  event.preventDefault();
  const lines = text.replace(/\r/g, "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let row = input.closest("tr");
  const column = sheetInputs(row).indexOf(input);
  for (const line of lines) {
    if (!row) break;
    const inputs = sheetInputs(row);
    line.split("\t").forEach((value, j) => {
      const target = inputs[column + j];
      if (target) target.value = value.trim();
    });
    row = row.nextElementSibling;
  }
});
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.closest("table[data-sheet]")) return;
  const down = event.key === "Enter" || event.key === "ArrowDown";
  if (!down && event.key !== "ArrowUp") return;
  event.preventDefault();
  const row = input.closest("tr");
  const column = sheetInputs(row).indexOf(input);
  const next = down ? row.nextElementSibling : row.previousElementSibling;
  const target = next && sheetInputs(next)[column];
  if (target) target.focus();
});

// A calculation form's ЕНС ТРУ column (data-goods) suggests goods as the code or words of the
// name are typed (issue 23): the classifier's first matches, from the server, in a list shared
// by every such cell.
let goodsTimer;
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-goods")) return;
  let list = document.getElementById("goods-suggest");
  if (!list) {
    list = document.createElement("datalist");
    list.id = "goods-suggest";
    document.body.appendChild(list);
  }
  input.setAttribute("list", list.id);
  clearTimeout(goodsTimer);
  const q = input.value.trim();
  if (q.length < 2) return;
  goodsTimer = setTimeout(async () => {
    const response = await fetch("/api/v1/goods?limit=20&q=" + encodeURIComponent(q), { credentials: "same-origin" });
    if (!response.ok) return;
    const page = await response.json();
    list.replaceChildren(...page.goods.map((good) => {
      const option = document.createElement("option");
      option.value = good.code;
      option.label = good.name_ru + (good.unit ? ", " + good.unit : "");
      return option;
    }));
  }, 250);
});
