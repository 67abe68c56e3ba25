// Charts in the browser (issue 21): a figure marked data-chart holds the chart's
// specification (jospar_charts::Chart: title, categories, series of amounts in tiyn, bars or
// lines) and, for readers without script, the server's PNG of the same specification. Here the
// PNG is replaced by an SVG drawn from the specification, each bar or point telling its
// category, series and amount when pointed at or focused.
(function () {
  'use strict';
  var PALETTE = ['rgb(11,92,173)', 'rgb(222,124,0)', 'rgb(23,102,58)', 'rgb(180,35,24)', 'rgb(106,76,147)', 'rgb(87,96,106)'];
  var NS = 'http://www.w3.org/2000/svg';

  // Thousands of tenge from tiyn, half away from zero, as the server's axis counts.
  function thousands(tiyn) {
    var t = BigInt(tiyn), step = 100000n, q = t / step, r = t % step;
    if ((r < 0n ? -r : r) * 2n >= step) q += t < 0n ? -1n : 1n;
    return Number(q);
  }
  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  }
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function draw(figure) {
    var chart = JSON.parse(figure.dataset.chart);
    var W = 1000, H = 560, left = 110, right = 20, top = 50, bottom = 90;
    var plotW = W - left - right, plotH = H - top - bottom;
    var n = Math.max(chart.categories.length, 1);
    var max = 1;
    chart.series.forEach(function (s) { s.values.forEach(function (v) { max = Math.max(max, thousands(v)); }); });
    max *= 1.1;
    var y = function (v) { return top + plotH - (v / max) * plotH; };
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': chart.title, class: 'chart-svg' });
    svg.appendChild(el('text', { x: W / 2, y: 28, 'text-anchor': 'middle', class: 'chart-title' }, chart.title));
    for (var i = 0; i <= 5; i += 1) {
      var value = Math.round((max / 5) * i), yy = y(value);
      svg.appendChild(el('line', { x1: left, x2: W - right, y1: yy, y2: yy, class: 'chart-grid' }));
      svg.appendChild(el('text', { x: left - 8, y: yy + 4, 'text-anchor': 'end', class: 'chart-axis' }, grouped(value)));
    }
    svg.appendChild(el('text', { x: 16, y: top + plotH / 2, transform: 'rotate(-90 16 ' + (top + plotH / 2) + ')', 'text-anchor': 'middle', class: 'chart-axis' }, chart.unit));
    var slot = plotW / n, width = (slot * 0.8) / Math.max(chart.series.length, 1);
    chart.categories.forEach(function (name, c) {
      var x = left + slot * c + slot / 2;
      svg.appendChild(el('text', { x: x, y: top + plotH + 18, 'text-anchor': 'end', transform: 'rotate(-30 ' + x + ' ' + (top + plotH + 18) + ')', class: 'chart-axis' }, name));
    });
    chart.series.forEach(function (series, s) {
      var colour = PALETTE[s % PALETTE.length];
      var points = series.values.map(function (v, c) { return [c, thousands(v)]; });
      if (chart.kind === 'line') {
        svg.appendChild(el('polyline', {
          points: points.map(function (p) { return (left + slot * p[0] + slot / 2) + ',' + y(p[1]); }).join(' '),
          fill: 'none', stroke: colour, 'stroke-width': 3
        }));
      }
      points.forEach(function (p) {
        var mark = chart.kind === 'line'
          ? el('circle', { cx: left + slot * p[0] + slot / 2, cy: y(p[1]), r: 5, fill: colour })
          : el('rect', { x: left + slot * p[0] + slot * 0.1 + width * s, y: y(p[1]), width: width, height: Math.max(top + plotH - y(p[1]), 0), fill: colour });
        mark.setAttribute('tabindex', '0');
        mark.setAttribute('class', 'chart-mark');
        mark.appendChild(el('title', {}, chart.categories[p[0]] + ' · ' + series.name + ': ' + grouped(p[1]) + ' ' + chart.unit));
        svg.appendChild(mark);
      });
      svg.appendChild(el('rect', { x: W - right - 230, y: top + 4 + s * 20, width: 14, height: 12, fill: colour }));
      svg.appendChild(el('text', { x: W - right - 210, y: top + 15 + s * 20, class: 'chart-axis' }, series.name));
    });
    var img = figure.querySelector('img');
    if (img) img.replaceWith(svg); else figure.insertBefore(svg, figure.firstChild);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('figure[data-chart]').forEach(function (figure) {
      try { draw(figure); } catch (e) { /* the server's PNG stays */ }
    });
  });
})();
