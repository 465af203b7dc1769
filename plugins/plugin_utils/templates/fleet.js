
(function () {
  'use strict';
  var table = document.getElementById('hosts');
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById('host-filter');
  var sizeSel = document.getElementById('page-size');
  var info = document.getElementById('page-info');
  var prev = document.getElementById('page-prev');
  var next = document.getElementById('page-next');
  var page = 0, sortCol = -1, sortDir = 1, visible = rows;
  function val(row, col) {
    var cell = row.cells[col];
    var v = cell.getAttribute('data-v');
    if (v === null) { v = cell.textContent; }
    var n = parseFloat(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  function render() {
    var size = parseInt(sizeSel.value, 10) || rows.length;
    var pages = Math.max(1, Math.ceil(visible.length / size));
    if (page >= pages) { page = pages - 1; }
    if (page < 0) { page = 0; }
    var start = page * size, end = start + size;
    rows.forEach(function (r) { r.hidden = true; });
    visible.forEach(function (r, i) { r.hidden = !(i >= start && i < end); });
    info.textContent = 'page ' + (page + 1) + ' of ' + pages + ' (' + visible.length + ' of ' + rows.length + ' hosts)';
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function apply() {
    var q = filter.value.trim().toLowerCase();
    visible = rows.filter(function (r) { return !q || r.textContent.toLowerCase().indexOf(q) !== -1; });
    if (sortCol >= 0) {
      visible.sort(function (a, b) {
        var x = val(a, sortCol), y = val(b, sortCol);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
      });
      visible.forEach(function (r) { tbody.appendChild(r); });
    }
    render();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.classList.add('sortable');
    th.addEventListener('click', function () {
      sortDir = (sortCol === col) ? -sortDir : (th.classList.contains('num') ? -1 : 1);
      sortCol = col;
      apply();
    });
  });
  filter.addEventListener('input', function () { page = 0; apply(); });
  sizeSel.addEventListener('change', function () { page = 0; render(); });
  prev.addEventListener('click', function () { page -= 1; render(); });
  next.addEventListener('click', function () { page += 1; render(); });
  document.body.setAttribute('data-fleet-ready', String(rows.length));
  apply();
})();
