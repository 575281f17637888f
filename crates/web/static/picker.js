// Searchable pickers. A field with data-pick names a JSON list (/pick/...) of the records the
// person may choose, each {id, label}; as they type words or a number, the field's <datalist>
// is refilled from it. The field itself sends the number, so without this script it is still a
// plain number box, and the first choices come rendered with the page.
(function () {
  'use strict';
  var fields = document.querySelectorAll('input[data-pick]');
  Array.prototype.forEach.call(fields, function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    var shown = input.parentNode.querySelector('.pick-chosen');
    if (!list) { return; }
    var timer = null;
    var asked = null;
    function labelOf(value) {
      var opts = list.querySelectorAll('option');
      for (var i = 0; i < opts.length; i++) {
        if (opts[i].value === value) { return opts[i].label || opts[i].textContent; }
      }
      return '';
    }
    function showChoice() {
      if (shown) { shown.textContent = labelOf(input.value.trim()); }
    }
    function refill(q, items) {
      if (input.value.trim() !== q) { return; }
      list.textContent = '';
      items.forEach(function (c) {
        var o = document.createElement('option');
        o.value = String(c.id);
        o.label = c.label;
        o.textContent = c.label;
        list.appendChild(o);
      });
      showChoice();
    }
    input.addEventListener('input', function () {
      showChoice();
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === asked) { return; }
        asked = q;
        fetch(input.getAttribute('data-pick') + '?q=' + encodeURIComponent(q), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' }
        }).then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { refill(q, items); })
          .catch(function () { /* the field still takes a number */ });
      }, 250);
    });
    // Something like "#12 路灯…" pasted or typed whole still sends 12.
    if (input.form) {
      input.form.addEventListener('submit', function () {
        var m = input.value.match(/^\s*[#＃]?\s*(\d+)/);
        if (m) { input.value = m[1]; }
      });
    }
  });
})();
