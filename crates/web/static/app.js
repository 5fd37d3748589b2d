// jiujinan front-end behaviour. No inline scripts (the CSP forbids them): everything hooks
// in from here, by data attributes and ids.
(function () {
  'use strict';

  // Alpine (CSP build) components.
  document.addEventListener('alpine:init', function () {
    window.Alpine.data('pwToggle', function () {
      return {
        show: false,
        get inputType() { return this.show ? 'text' : 'password'; },
        toggle: function () { this.show = !this.show; }
      };
    });
  });

  // Organisation tree: the first click loads children (htmx), later clicks fold them.
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest('button.toggle');
    if (btn) {
      var ul = btn.parentElement.querySelector(':scope > ul.children');
      if (ul && ul.children.length > 0) {
        ul.hidden = !ul.hidden;
        btn.textContent = ul.hidden ? '▸' : '▾';
      }
      return;
    }
    var print = ev.target.closest('[data-action="print"]');
    if (print) { window.print(); }
  });

  // The new-action form shows only the chosen route's fields; hidden ones are disabled so
  // they are not sent. Without scripts every field shows and the server keeps only the route's.
  function showRouteFields(select) {
    var form = select.form;
    if (!form) { return; }
    form.querySelectorAll('.route-field').forEach(function (f) {
      var on = (f.getAttribute('data-routes') || '').split(' ').indexOf(select.value) >= 0;
      f.hidden = !on;
      f.querySelectorAll('input, select, textarea').forEach(function (i) { i.disabled = !on; });
    });
  }
  // The receiver left at its first option goes to the programme's department: say which.
  function showDefaultReceiver(programme) {
    var first = document.getElementById('ac-to-default');
    if (!first) { return; }
    var opt = programme.options[programme.selectedIndex];
    var name = opt && opt.getAttribute('data-default');
    first.textContent = name ? first.getAttribute('data-hint') + '：' + name : first.getAttribute('data-hint');
  }
  document.addEventListener('change', function (ev) {
    if (ev.target && ev.target.id === 'ac-route') { showRouteFields(ev.target); }
    if (ev.target && ev.target.id === 'ac-programme') { showDefaultReceiver(ev.target); }
  });
  document.addEventListener('DOMContentLoaded', function () {
    var route = document.getElementById('ac-route');
    if (route) { showRouteFields(route); }
  });

  document.addEventListener('htmx:afterSwap', function (ev) {
    var li = ev.detail.target && ev.detail.target.parentElement;
    var btn = li && li.querySelector(':scope > button.toggle');
    if (btn) { btn.textContent = '▾'; }
  });

  // Unit pickers: a select with data-unit-search="department|civil_affairs|place" gets a search
  // box; two characters ask /org/pick and the select then offers what matched (its own first
  // options come back when the box is emptied). Without scripts the select works as it is.
  function unitPicker(select) {
    var original = Array.prototype.slice.call(select.options).map(function (o) { return o.cloneNode(true); });
    var box = document.createElement('input');
    box.type = 'search';
    box.className = 'unit-search';
    box.id = select.id ? select.id + '-search' : '';
    box.placeholder = select.getAttribute('data-search-placeholder') || '';
    box.setAttribute('aria-label', box.placeholder);
    box.setAttribute('autocomplete', 'off');
    var status = document.createElement('span');
    status.className = 'unit-search-status muted';
    status.setAttribute('aria-live', 'polite');
    // One cell of the form's grid: the box, the select, what was found.
    var cell = document.createElement('div');
    cell.className = 'unit-picker';
    select.parentNode.insertBefore(cell, select);
    cell.appendChild(box);
    cell.appendChild(select);
    cell.appendChild(status);
    var timer = null;
    var asked = '';
    function restore() {
      select.innerHTML = '';
      original.forEach(function (o) { select.appendChild(o.cloneNode(true)); });
      status.textContent = '';
    }
    function ask(q) {
      asked = q;
      var url = '/org/pick?kind=' + encodeURIComponent(select.getAttribute('data-unit-search')) + '&q=' + encodeURIComponent(q);
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (choices) {
          if (q !== asked) { return; }
          select.innerHTML = '';
          choices.forEach(function (c) {
            var o = document.createElement('option');
            o.value = c.code;
            o.textContent = c.label;
            o.title = c.code;
            select.appendChild(o);
          });
          var none = select.getAttribute('data-search-none') || '';
          var found = select.getAttribute('data-search-found') || '';
          status.textContent = choices.length ? found.replace('{n}', choices.length) : none;
          select.dispatchEvent(new Event('change', { bubbles: true }));
        })
        .catch(function () { status.textContent = select.getAttribute('data-search-none') || ''; });
    }
    box.addEventListener('input', function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2) { asked = ''; restore(); return; }
      timer = setTimeout(function () { ask(q); }, 200);
    });
    // Enter in the box chooses, it does not send the form half filled.
    box.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); select.focus(); } });
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('select[data-unit-search]').forEach(unitPicker);
  });

  // Charts: data comes in a data attribute as JSON, never as inline script.
  // A bar chart by default, a step line with data-chart-type="line" (balances over time).
  document.addEventListener('DOMContentLoaded', function () {
    if (!window.echarts) { return; }
    var zh = document.documentElement.lang === 'zh-CN';
    document.querySelectorAll('[data-chart-json]').forEach(function (el) {
      var data = JSON.parse(el.getAttribute('data-chart-json'));
      var line = el.getAttribute('data-chart-type') === 'line';
      var chart = window.echarts.init(el, null, { renderer: 'canvas', locale: zh ? 'ZH' : 'EN' });
      // One series (`values`) or several (`series`: [{name, values}], stacked with `stack`).
      var many = data.series || [{ name: data.title, values: data.values }];
      var colours = ['#b3261e', '#e8a33d', '#4a6fa5'];
      chart.setOption({
        title: { text: data.title, left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: 'axis' },
        legend: many.length > 1 ? { bottom: 0 } : undefined,
        grid: { left: line ? 70 : 56, right: 16, bottom: many.length > 1 ? 90 : 70, top: 40 },
        xAxis: { type: 'category', data: data.names,
          axisLabel: data.names.length > 6 ? { rotate: 40 } : { interval: 0, width: 140, overflow: 'break' } },
        yAxis: { type: 'value', minInterval: line ? 0 : 1 },
        series: many.map(function (s, i) {
          return line
            ? { name: s.name, type: 'line', step: 'end', data: s.values, itemStyle: { color: colours[i % 3] } }
            : { name: s.name, type: 'bar', stack: data.stack ? 'all' : undefined, data: s.values,
                itemStyle: { color: colours[i % 3] } };
        })
      });
      window.addEventListener('resize', function () { chart.resize(); });
    });
  });
})();
