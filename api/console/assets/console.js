// crashdesk console: progressive enhancement only. Every page works without this file; with it,
// `/` focuses the search, table rows open on click, report forms check fields before sending
// (the same rules as the server, rendered into data-rules), list rows can be added and removed,
// a form is sent once however often its button is pressed, and an unsaved form is kept in
// sessionStorage until it has been recorded (so an ended session loses nothing).
(function () {
  'use strict';
  var body = document.body;
  var draftPrefix = 'crashdesk:draft:' + body.getAttribute('data-site') + ':' + (body.getAttribute('data-user') || '') + ':';
  // A draft holds personal data (names, a policy number, a place): it lives in sessionStorage, which
  // this tab alone sees and the browser forgets when the tab or window closes, and never longer than
  // a shift (the default absolute lifetime of a sign-in), so it cannot outlive the session it served.
  var DRAFT_MAX_AGE_MS = 8 * 60 * 60 * 1000;

  function removeDrafts(storageName, prefix) {
    try {
      var storage = window[storageName];
      for (var i = storage.length - 1; i >= 0; i--) {
        var key = storage.key(i);
        if (key && key.indexOf(prefix) === 0) storage.removeItem(key);
      }
    } catch {
      // storage disabled: there is nothing to remove
    }
  }

  function store(action, key, value) {
    try {
      if (action === 'get') {
        var draft = JSON.parse(sessionStorage.getItem(key) || 'null');
        if (draft && !(Date.now() - Date.parse(draft.savedAt) < DRAFT_MAX_AGE_MS)) {
          sessionStorage.removeItem(key);
          return null;
        }
        return draft;
      }
      if (action === 'set') sessionStorage.setItem(key, JSON.stringify(value));
      if (action === 'remove') sessionStorage.removeItem(key);
    } catch {
      return null; // storage full or disabled: the form still works, only without a draft
    }
    return null;
  }

  // Earlier versions kept drafts in localStorage, where they stayed after the browser closed.
  removeDrafts('localStorage', 'crashdesk:draft:');

  var cleared = body.getAttribute('data-clear-draft');
  if (cleared) store('remove', draftPrefix + cleared);

  document.addEventListener('keydown', function (event) {
    var target = event.target;
    var typing = target.closest && target.closest('input, textarea, select, [contenteditable]');
    // Up and down move between the rows of a report table; Enter on a row's link opens it.
    var rowLink = target.closest && target.closest('tbody tr a');
    if (rowLink && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      var row = rowLink.closest('tr');
      var sibling = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      var siblingLink = sibling && sibling.querySelector('a');
      if (siblingLink) {
        event.preventDefault();
        siblingLink.focus();
      }
      return;
    }
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var search = document.getElementById('search');
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });

  // Rows open on a click anywhere in them; the link in the first cell remains the keyboard path.
  document.addEventListener('click', function (event) {
    var link = event.target.closest('tbody a[href]');
    var row = event.target.closest('tbody tr[data-href]');
    if (row) sessionStorage.setItem('crashdesk:last-row', row.id);
    if (!row || link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    window.location.href = row.getAttribute('data-href');
  });
  window.addEventListener('pageshow', function () {
    var last = sessionStorage.getItem('crashdesk:last-row');
    var row = last && document.getElementById(last);
    var link = row && row.querySelector('a');
    if (link) link.focus();
  });

  Array.prototype.forEach.call(document.querySelectorAll('form[data-report-form]'), enhanceForm);
  Array.prototype.forEach.call(document.querySelectorAll('form[data-logout]'), function (form) {
    form.addEventListener('submit', function () {
      // Signing out on purpose leaves nothing behind on a shared computer.
      removeDrafts('sessionStorage', draftPrefix);
    });
  });

  function enhanceForm(form) {
    var rules = JSON.parse(form.getAttribute('data-rules'));
    var messages = JSON.parse(form.getAttribute('data-messages'));
    var draftKey = draftPrefix + form.getAttribute('data-draft');
    var sending = false;
    form.noValidate = true;

    Array.prototype.forEach.call(form.querySelectorAll('fieldset[data-list]'), function (fieldset) {
      var list = fieldset.querySelector('ol');
      var add = fieldset.querySelector('[data-add]');
      Array.prototype.forEach.call(list.children, function (item) {
        addRemoveButton(fieldset, item);
      });
      add.addEventListener('click', function (event) {
        event.preventDefault();
        var item = addRow(fieldset);
        if (item) item.querySelector('input').focus();
      });
    });

    function addRow(fieldset) {
      var list = fieldset.querySelector('ol');
      if (list.children.length >= Number(fieldset.getAttribute('data-max'))) return null;
      var item = list.lastElementChild.cloneNode(true);
      var input = item.querySelector('input');
      input.value = '';
      list.appendChild(item);
      var button = item.querySelector('button');
      if (button) button.remove();
      addRemoveButton(fieldset, item);
      renumber(fieldset);
      return item;
    }

    function addRemoveButton(fieldset, item) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = fieldset.getAttribute('data-remove');
      button.addEventListener('click', function () {
        var list = fieldset.querySelector('ol');
        if (list.children.length > 1) item.remove();
        else item.querySelector('input').value = '';
        renumber(fieldset);
        saveDraft();
        var last = list.lastElementChild.querySelector('input');
        if (last) last.focus();
      });
      item.appendChild(button);
    }

    function renumber(fieldset) {
      var name = fieldset.getAttribute('data-list');
      var label = fieldset.getAttribute('data-item-label');
      Array.prototype.forEach.call(fieldset.querySelectorAll('li'), function (item, index) {
        var text = label.replace('{n}', String(index + 1));
        item.querySelector('label').textContent = text;
        item.querySelector('label').htmlFor = 'f-' + name + '-' + index;
        item.querySelector('input').id = 'f-' + name + '-' + index;
        var button = item.querySelector('button');
        if (button) button.setAttribute('aria-label', fieldset.getAttribute('data-remove') + ' ' + text);
      });
    }

    function values() {
      var result = {};
      Object.keys(rules).forEach(function (name) {
        var elements = form.querySelectorAll('[name="' + name + '"]');
        result[name] = rules[name].list
          ? Array.prototype.map.call(elements, function (el) {
              return el.value;
            })
          : elements[0]
            ? elements[0].value
            : '';
      });
      return result;
    }

    // An edit's draft keeps the version it was based on: restored into a newer report, saving it
    // meets the conflict page instead of silently overwriting the other change.
    var versionField = form.querySelector('input[name="version"]');

    function saveDraft() {
      store('set', draftKey, { savedAt: new Date().toISOString(), values: values(), version: versionField ? versionField.value : null });
    }

    function restoreDraft() {
      var draft = store('get', draftKey);
      if (!draft || !draft.values || form.getAttribute('data-fresh') !== 'true') return;
      Object.keys(draft.values).forEach(function (name) {
        var value = draft.values[name];
        if (rules[name] && rules[name].list) {
          var fieldset = form.querySelector('fieldset[data-list="' + name + '"]');
          while (fieldset.querySelectorAll('input').length < value.length && addRow(fieldset)) {
            /* grow */
          }
          Array.prototype.forEach.call(fieldset.querySelectorAll('input'), function (el, i) {
            el.value = value[i] || '';
          });
        } else {
          var el = form.querySelector('[name="' + name + '"]');
          if (el) el.value = value;
        }
      });
      if (versionField && draft.version) versionField.value = draft.version;
      var note = form.querySelector('[data-draft-note]');
      if (note) {
        note.hidden = false;
        note.querySelector('button').addEventListener('click', function () {
          store('remove', draftKey);
          window.location.reload();
        });
      }
    }

    /* eslint-disable no-control-regex -- the schema's own character classes */
    var control = /[\u0000-\u001f\u007f]/;
    var controlExceptWhitespace = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
    /* eslint-enable no-control-regex */

    function say(template, n) {
      return template.replace('{n}', String(n));
    }

    function check(rule, raw) {
      var value = raw.trim();
      if (rule.line && value === '') return rule.required ? messages.empty : null;
      if (rule.max && value.length > rule.max) return say(messages.tooLong, rule.max);
      if ((rule.line ? control : controlExceptWhitespace).test(value)) return messages.control;
      if (rule.policy && !new RegExp(rule.policy).test(value.toLowerCase().replace(/[\s-]+/g, ''))) return messages.policy;
      if (rule.date) {
        var day = new Date(value + 'T00:00:00Z');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || isNaN(day) || day.toISOString().slice(0, 10) !== value) return messages.date;
        if (value < rule.min) return messages.dateMin;
        if (value > rule.maxDate) return messages.dateFuture;
      }
      return null;
    }

    function validate() {
      var current = values();
      var errors = {};
      Object.keys(rules).forEach(function (name) {
        var rule = rules[name];
        var found = [];
        if (rule.list) {
          var items = current[name].filter(function (v) {
            return v.trim() !== '';
          });
          if (items.length < rule.minItems) found.push(rule.tooFew);
          if (items.length > rule.maxItems) found.push(rule.tooMany);
          items.forEach(function (item, i) {
            var problem = check(rule.item, item);
            if (problem) found.push(i + 1 + ': ' + problem);
          });
        } else {
          var problem = check(rule, current[name]);
          if (problem) found.push(problem);
        }
        if (found.length) errors[name] = found;
      });
      return errors;
    }

    function show(errors) {
      var first = null;
      Object.keys(rules).forEach(function (name) {
        var slot = document.getElementById('e-' + name);
        var inputs = form.querySelectorAll('[name="' + name + '"]');
        if (slot) slot.textContent = errors[name] ? errors[name].join(' ') : '';
        Array.prototype.forEach.call(inputs, function (el) {
          if (errors[name]) el.setAttribute('aria-invalid', 'true');
          else el.removeAttribute('aria-invalid');
        });
        if (errors[name] && !first) first = inputs[0];
      });
      var summary = form.querySelector('[data-summary]');
      summary.hidden = !first;
      if (first) first.focus();
    }

    form.addEventListener('input', saveDraft);
    form.addEventListener('submit', function (event) {
      saveDraft();
      if (sending) {
        event.preventDefault();
        return;
      }
      var errors = validate();
      if (Object.keys(errors).length) {
        event.preventDefault();
        show(errors);
        return;
      }
      sending = true;
      Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"]:not([data-add])'), function (b) {
        b.setAttribute('aria-disabled', 'true');
        b.classList.add('sending');
      });
    });
    // A page restored from the back/forward cache may be sent again.
    window.addEventListener('pageshow', function () {
      sending = false;
    });
    restoreDraft();
  }
})();
