// The request grid (issue 21): every line's calculation rows of a year, computed as the user
// types by the same formulas as the server (jospar_forms: + − × ÷, parentheses, numbers and
// column keys; computed cells rounded to the tiyn half away from zero), in exact decimals
// (BigInt mantissa and scale), so that the sums shown are the sums the server will store. A
// block pasted from Excel fills the cells from the one pasted into; Enter and the arrows move
// between rows. Without script the grid is a plain form and the server computes on saving.
(function () {
  'use strict';

  // ---------- exact decimals: value = m / 10^s ----------
  function pow10(n) { return 10n ** BigInt(n); }
  function dec(m, s) { return { m: m, s: s }; }
  function norm(d) {
    var m = d.m, s = d.s;
    while (s > 0 && m % 10n === 0n) { m /= 10n; s -= 1; }
    return dec(m, s);
  }
  function align(a, b) {
    var s = Math.max(a.s, b.s);
    return [a.m * pow10(s - a.s), b.m * pow10(s - b.s), s];
  }
  // The server's decimals hold 96 bits: a longer result loses decimals (rounded half to even)
  // and one that still does not fit is an overflow, as there.
  var LIMIT = 2n ** 96n;
  function fit(d) {
    var m = d.m, s = d.s;
    while ((m < 0n ? -m : m) >= LIMIT && s > 0) {
      var q = m / 10n, r = m % 10n, absR = r < 0n ? -r : r;
      if (absR > 5n || (absR === 5n && q % 2n !== 0n)) q += m < 0n ? -1n : 1n;
      m = q;
      s -= 1;
    }
    if ((m < 0n ? -m : m) >= LIMIT) throw new Error('overflow');
    return norm(dec(m, s));
  }
  function add(a, b) { var x = align(a, b); return fit(dec(x[0] + x[1], x[2])); }
  function sub(a, b) { var x = align(a, b); return fit(dec(x[0] - x[1], x[2])); }
  function mul(a, b) { return fit(dec(a.m * b.m, a.s + b.s)); }
  // Division to 28 decimals, the last one rounded half to even, as the server's decimals do.
  function div(a, b) {
    if (b.m === 0n) throw new Error('division by zero');
    var scale = 29, num = a.m, den = b.m, e = scale + b.s - a.s;
    if (e >= 0) num *= pow10(e); else den *= pow10(-e);
    if (den < 0n) { num = -num; den = -den; }
    var q = num / den;
    var last = q % 10n, rest = num % den !== 0n;
    q /= 10n;
    var absLast = last < 0n ? -last : last;
    var up = absLast > 5n || (absLast === 5n && (rest || q % 2n !== 0n));
    if (up) q += (num < 0n ? -1n : 1n);
    return fit(dec(q, scale - 1));
  }
  function roundAway(d, places) {
    if (d.s <= places) return dec(d.m * pow10(places - d.s), places);
    var f = pow10(d.s - places), q = d.m / f, r = d.m % f;
    if ((r < 0n ? -r : r) * 2n >= f) q += d.m < 0n ? -1n : 1n;
    return dec(q, places);
  }
  // "1 234 567,89", "1234567.89", with ordinary or no-break spaces → a decimal; null if not.
  function parseDecimal(text) {
    var t = String(text).replace(/\s/g, '').replace(/,/g, '.');
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
    var negative = t[0] === '-';
    t = t.replace(/^[+-]/, '');
    var parts = t.split('.'), frac = parts[1] || '';
    var m = BigInt((parts[0] || '0') + frac);
    return norm(dec(negative ? -m : m, frac.length));
  }
  function decimalText(d) {
    d = norm(d);
    var neg = d.m < 0n, digits = (neg ? -d.m : d.m).toString();
    if (d.s > 0) {
      digits = digits.padStart(d.s + 1, '0');
      digits = digits.slice(0, digits.length - d.s) + ',' + digits.slice(digits.length - d.s);
    }
    return (neg ? '-' : '') + digits;
  }
  function tiynOf(d) { return roundAway(d, 2).m; }
  // Tiyn as the server prints tenge: "1 234 567,89".
  function money(tiyn) {
    var neg = tiyn < 0n, abs = neg ? -tiyn : tiyn;
    var whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    return (neg ? '-' : '') + whole + ',' + (abs % 100n).toString().padStart(2, '0');
  }
  function parseMoney(text) {
    var d = parseDecimal(text);
    return d ? tiynOf(d) : 0n;
  }

  // ---------- formulas ----------
  function tokenize(text) {
    var out = [], i = 0;
    while (i < text.length) {
      var c = text[i];
      if (/\s/.test(c)) { i += 1; continue; }
      var num = /^[0-9.]+/.exec(text.slice(i));
      if (num) { out.push({ num: parseDecimal(num[0]) }); i += num[0].length; continue; }
      var id = /^[a-z_][a-z0-9_]*/.exec(text.slice(i));
      if (id) { out.push({ id: id[0] }); i += id[0].length; continue; }
      if ('+-*/()'.indexOf(c) >= 0) { out.push({ op: c }); i += 1; continue; }
      throw new Error('formula: ' + c);
    }
    return out;
  }
  function parseFormula(text) {
    var tokens = tokenize(text), pos = 0;
    function peekOp(ops) { var t = tokens[pos]; return t && t.op && ops.indexOf(t.op) >= 0 ? t.op : null; }
    function sum() {
      var left = product(), op;
      while ((op = peekOp('+-'))) { pos += 1; left = { op: op, a: left, b: product() }; }
      return left;
    }
    function product() {
      var left = unary(), op;
      while ((op = peekOp('*/'))) { pos += 1; left = { op: op, a: left, b: unary() }; }
      return left;
    }
    function unary() {
      if (peekOp('-')) { pos += 1; return { neg: unary() }; }
      return atom();
    }
    function atom() {
      var t = tokens[pos];
      if (!t) throw new Error('formula: end');
      if (t.num) { pos += 1; return { num: t.num }; }
      if (t.id) { pos += 1; return { id: t.id }; }
      if (t.op === '(') {
        pos += 1;
        var inner = sum();
        if (!peekOp(')')) throw new Error('formula: )');
        pos += 1;
        return inner;
      }
      throw new Error('formula: ' + t.op);
    }
    var expr = sum();
    if (pos !== tokens.length) throw new Error('formula: trailing');
    return expr;
  }
  function evaluate(expr, vars) {
    if (expr.num) return expr.num;
    if (expr.id) {
      if (!(expr.id in vars)) throw new Error('unknown column ' + expr.id);
      return vars[expr.id];
    }
    if (expr.neg) { var v = evaluate(expr.neg, vars); return dec(-v.m, v.s); }
    var x = evaluate(expr.a, vars), y = evaluate(expr.b, vars);
    switch (expr.op) {
      case '+': return add(x, y);
      case '-': return sub(x, y);
      case '*': return mul(x, y);
      default: return div(x, y);
    }
  }

  // One row of a form as the server evaluates it: typed numbers (empty is 0), computed columns
  // in order, each rounded to two decimals half away from zero; the row's amount in tiyn.
  // Cells that are not numbers, or outside their bounds, are named in `bad`.
  function evaluateRow(form, row) {
    var numbers = {}, computed = {}, bad = [];
    form.columns.forEach(function (column) {
      var typed = String(row[column.key] || '').trim();
      if (column.type === 'number' || column.type === 'money') {
        var value = typed === '' ? dec(0n, 0) : parseDecimal(typed);
        if (value === null) { bad.push(column.key); value = dec(0n, 0); }
        if (outside(column, value)) bad.push(column.key);
        numbers[column.key] = value;
      } else if (column.type === 'computed') {
        var result;
        try {
          result = roundAway(evaluate(parseFormula(column.formula || '0'), numbers), 2);
        } catch (e) {
          result = dec(0n, 0);
          bad.push(column.key);
        }
        result = norm(result);
        if (outside(column, result)) bad.push(column.key);
        numbers[column.key] = result;
        computed[column.key] = decimalText(result);
      }
    });
    var amount = numbers[form.amount_column] || dec(0n, 0);
    return { computed: computed, tiyn: tiynOf(amount).toString(), bad: bad };
  }
  function outside(column, value) {
    var min = column.min != null ? parseDecimal(column.min) : null;
    var max = column.max != null ? parseDecimal(column.max) : null;
    return (min && sub(value, min).m < 0n) || (max && sub(value, max).m > 0n);
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
    var form = JSON.parse(section.dataset.form);
    var total = 0n;
    section.querySelectorAll('tbody tr').forEach(function (tr) {
      var row = rowInput(tr), empty = blank(row);
      var result = evaluateRow(form, row);
      tr.querySelectorAll('[data-computed]').forEach(function (cell) {
        var value = result.computed[cell.dataset.computed];
        cell.textContent = empty || value === undefined ? '' : money(tiynOf(parseDecimal(value)));
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
  function recomputeTotals() {
    var lines = Array.prototype.slice.call(document.querySelectorAll('section.grid-line'));
    var sum = function (filter) {
      return lines.filter(filter).reduce(function (acc, s) { return acc + BigInt(s.dataset.tiyn || '0'); }, 0n);
    };
    var yearTotal = document.getElementById('grid-year-total');
    if (yearTotal) yearTotal.textContent = money(sum(function () { return true; }));
    document.querySelectorAll('tr[data-limit-program]').forEach(function (tr) {
      var asked = sum(function (s) {
        return s.dataset.program === tr.dataset.limitProgram && s.dataset.kind === tr.dataset.limitKind;
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
      input.name = 'g|' + section.dataset.line + '|' + index + '|' + input.dataset.key;
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

  window.JosparForms = { evaluateRow: evaluateRow, parseDecimal: function (t) { var d = parseDecimal(t); return d && decimalText(d); } };

  document.addEventListener('DOMContentLoaded', function () {
    var sections = document.querySelectorAll('section.grid-line');
    sections.forEach(function (section) {
      if (section.querySelector('input[data-key]')) recomputeLine(section);
      else section.dataset.tiyn = parseMoney(section.querySelector('[data-line-total]').textContent).toString();
      section.addEventListener('input', function () { recomputeLine(section); recomputeTotals(); });
      section.addEventListener('paste', function (event) { if (event.target.matches('input[data-key]')) paste(event); });
      section.addEventListener('keydown', function (event) { if (event.target.matches('input[data-key]')) move(event); });
      var more = section.querySelector('[data-add-row]');
      if (more) more.addEventListener('click', function () { addRow(section); });
    });
    if (sections.length) recomputeTotals();
  });
})();
