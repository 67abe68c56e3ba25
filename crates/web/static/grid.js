// The request grid (issue 21): every line's calculation rows, computed as the user types by the
// server's own formula engine — the Rust crate jospar-formula compiled to WebAssembly
// (/static/formula.wasm, scripts/build-formula-wasm.sh) — so that the sums shown are the sums
// the server will store, to the tiyn. Here only whole tiyn are added up (BigInt). A block
// pasted from Excel fills the cells from the one pasted into; Enter and the arrows move between
// rows. Without script (or WebAssembly) the grid is a plain form and the server computes on
// saving.
(function () {
  'use strict';

  // ---------- the engine ----------
  var engine = null;
  // The page gives the engine's versioned address, so that a cached old engine is not used.
  var script = document.currentScript;
  var address = (script && script.dataset.engine) || '/static/formula.wasm';
  var loading = fetch(address)
    .then(function (response) { return response.arrayBuffer(); })
    .then(function (bytes) { return WebAssembly.instantiate(bytes, {}); })
    .then(function (module) { engine = module.instance.exports; });

  // One call of the engine: text in, text out (see crates/formula/src/wire.rs).
  function runEngine(text) {
    var bytes = new TextEncoder().encode(text);
    var input = engine.buffer(bytes.length);
    if (!input) throw new Error('formula engine: out of memory');
    new Uint8Array(engine.memory.buffer, input, bytes.length).set(bytes);
    var output = engine.evaluate(input, bytes.length), length = engine.answer_len();
    if (!output) throw new Error('formula engine: out of memory');
    var answer = new TextDecoder().decode(new Uint8Array(engine.memory.buffer, output, length));
    engine.release(output, length);
    return answer;
  }
  function field(value) { return String(value == null ? '' : value).replace(/[\t\r\n]/g, ' '); }
  function formText(form) {
    var kinds = { text: 't', number: 'n', money: 'n', computed: 'c' };
    return form.columns.map(function (c) {
      return ['c', c.key, kinds[c.type] || 't', c.required ? '1' : '0', field(c.min), field(c.max),
        field(c.formula)].join('\t');
    }).concat(['a\t' + form.amount_column]).join('\n') + '\n';
  }
  // Rows of a form as the server evaluates them: for each row the amount in tiyn, the computed
  // values ("1234,5" and tiyn) and the cells that fail (not a number, outside bounds, missing).
  function evaluateRows(form, rows) {
    var text = formText(form) + rows.map(function (row) {
      return 'r\n' + Object.keys(row).map(function (key) {
        return 'v\t' + key + '\t' + field(row[key]) + '\n';
      }).join('');
    }).join('');
    var results = [], current = null;
    runEngine(text).split('\n').forEach(function (line) {
      if (line === '') return;
      var f = line.split('\t');
      if (f[0] === 'r') {
        current = { tiyn: f[1], computed: {}, computedTiyn: {}, bad: [] };
        results.push(current);
      } else {
        current.computed[f[0]] = f[1];
        current.computedTiyn[f[0]] = f[2];
        if (f[3] === '1') current.bad.push(f[0]);
      }
    });
    return results;
  }
  // The property test's door: computed columns only, as the server's row values give them.
  function evaluateRow(form, row) {
    var result = evaluateRows(form, [row])[0], computed = {};
    form.columns.forEach(function (c) {
      if (c.type === 'computed' && result.computed[c.key] !== '') computed[c.key] = result.computed[c.key];
    });
    return { computed: computed, tiyn: result.tiyn, bad: result.bad };
  }

  // Tiyn as the server prints tenge: "1 234 567,89".
  function money(tiyn) {
    var neg = tiyn < 0n, abs = neg ? -tiyn : tiyn;
    var whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    return (neg ? '-' : '') + whole + ',' + (abs % 100n).toString().padStart(2, '0');
  }
  // Back from money(): the digits are the tiyn.
  function moneyTiyn(text) {
    var digits = String(text).replace(/[^0-9-]/g, '');
    return digits === '' || digits === '-' ? 0n : BigInt(digits);
  }

  // ---------- the page ----------
  function rowInput(tr) {
    var row = {};
    tr.querySelectorAll('input[data-key]').forEach(function (input) { row[input.dataset.key] = input.value; });
    return row;
  }
  function blank(row) {
    return Object.keys(row).every(function (k) { return String(row[k]).trim() === ''; });
  }
  function recomputeLine(section) {
    if (!engine) return;
    var form = JSON.parse(section.closest('[data-form]').dataset.form);
    var trs = Array.prototype.slice.call(section.querySelectorAll('tbody tr'));
    var rows = trs.map(rowInput);
    var results = evaluateRows(form, rows);
    var total = 0n;
    trs.forEach(function (tr, i) {
      var empty = blank(rows[i]), result = results[i];
      tr.querySelectorAll('[data-computed]').forEach(function (cell) {
        var key = cell.dataset.computed, tiyn = result.computedTiyn[key];
        // A computed cell that fails (division by zero, outside its bounds) is marked, not 0,00.
        var failed = !empty && result.bad.indexOf(key) >= 0;
        var shown = empty || tiyn === undefined || result.computed[key] === '';
        cell.textContent = shown ? '' : money(BigInt(tiyn));
        cell.classList.toggle('bad', failed);
      });
      tr.querySelectorAll('input[data-key]').forEach(function (input) {
        var wrong = !empty && result.bad.indexOf(input.dataset.key) >= 0;
        input.classList.toggle('bad', wrong);
        if (wrong) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
      });
      if (!empty) total += BigInt(result.tiyn);
    });
    section.dataset.tiyn = total.toString();
    section.querySelector('[data-line-total]').textContent = money(total);
  }
  // The summary of lines × years, the totals of each year and of the request, and what is left
  // of each limit of a year, program and kind.
  function recomputeTotals() {
    var sections = Array.prototype.slice.call(document.querySelectorAll('section.grid-line'));
    var sum = function (filter) {
      return sections.filter(filter).reduce(function (acc, s) { return acc + BigInt(s.dataset.tiyn || '0'); }, 0n);
    };
    sections.forEach(function (s) {
      var cell = document.querySelector('[data-sum-line="' + s.dataset.line + '"][data-sum-year="' + s.dataset.year + '"]');
      if (cell) cell.textContent = money(BigInt(s.dataset.tiyn || '0'));
    });
    document.querySelectorAll('[data-year-total]').forEach(function (cell) {
      cell.textContent = money(sum(function (s) { return s.dataset.year === cell.dataset.yearTotal; }));
    });
    var whole = document.getElementById('grid-request-total');
    if (whole) whole.textContent = money(sum(function () { return true; }));
    document.querySelectorAll('tr[data-limit-program]').forEach(function (tr) {
      var asked = sum(function (s) {
        return s.dataset.year === tr.dataset.limitYear && s.dataset.program === tr.dataset.limitProgram &&
          s.dataset.kind === tr.dataset.limitKind;
      });
      var remaining = BigInt(tr.dataset.limitTiyn) - asked;
      tr.querySelector('[data-requested]').textContent = money(asked);
      tr.querySelector('[data-remaining]').textContent = money(remaining);
      tr.classList.toggle('overdue', remaining < 0n);
    });
  }
  function addRow(section) {
    var body = section.querySelector('tbody'), last = body.lastElementChild;
    if (!last) return null;
    var next = last.cloneNode(true), index = body.children.length;
    next.dataset.row = String(index);
    next.querySelectorAll('input[data-key]').forEach(function (input) {
      input.value = '';
      input.name = 'g|' + section.dataset.line + '|' + section.dataset.year + '|' + index + '|' + input.dataset.key;
      input.classList.remove('bad');
      input.removeAttribute('aria-invalid');
    });
    next.querySelectorAll('[data-computed]').forEach(function (cell) { cell.textContent = ''; });
    body.appendChild(next);
    return next;
  }
  function cellPosition(input) {
    var tr = input.closest('tr');
    var inputs = Array.prototype.slice.call(tr.querySelectorAll('input[data-key]'));
    return { tr: tr, column: inputs.indexOf(input) };
  }
  // A block from Excel: rows by line breaks, cells by tabs, from the cell pasted into.
  function paste(event) {
    var input = event.target;
    var text = (event.clipboardData || window.clipboardData).getData('text');
    if (!/[\t\n]/.test(text)) return;
    event.preventDefault();
    var section = input.closest('section.grid-line');
    var lines = text.replace(/\r/g, '').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    var at = cellPosition(input), tr = at.tr;
    lines.forEach(function (line, i) {
      if (i > 0) tr = tr.nextElementSibling || addRow(section);
      var inputs = tr.querySelectorAll('input[data-key]');
      line.split('\t').forEach(function (value, j) {
        var target = inputs[at.column + j];
        if (target) target.value = value.trim();
      });
    });
    recomputeLine(section);
    recomputeTotals();
  }
  function move(event) {
    var down = event.key === 'Enter' || event.key === 'ArrowDown';
    if (!down && event.key !== 'ArrowUp') return;
    event.preventDefault();
    var at = cellPosition(event.target);
    var tr = down ? at.tr.nextElementSibling : at.tr.previousElementSibling;
    if (!tr && down) tr = addRow(event.target.closest('section.grid-line'));
    var target = tr && tr.querySelectorAll('input[data-key]')[at.column];
    if (target) target.focus();
  }

  window.JosparForms = { evaluateRow: evaluateRow, ready: loading };

  document.addEventListener('DOMContentLoaded', function () {
    var sections = document.querySelectorAll('section.grid-line');
    sections.forEach(function (section) {
      section.dataset.tiyn = moneyTiyn(section.querySelector('[data-line-total]').textContent).toString();
      section.addEventListener('input', function () { recomputeLine(section); recomputeTotals(); });
      section.addEventListener('paste', function (event) { if (event.target.matches('input[data-key]')) paste(event); });
      section.addEventListener('keydown', function (event) { if (event.target.matches('input[data-key]')) move(event); });
      var more = section.querySelector('[data-add-row]');
      if (more) more.addEventListener('click', function () { addRow(section); });
    });
    // Until the engine is there, the sums are the server's; then they follow the typing.
    loading.then(function () {
      sections.forEach(function (section) {
        if (section.querySelector('input[data-key]')) recomputeLine(section);
      });
      if (sections.length) recomputeTotals();
    });
  });
})();
