// The console's browser script, served as /assets/console.js (script-src 'self'; nothing inline):
// copy buttons for once-shown secrets, and confirmation before destructive forms (data-confirm).
export const consoleScript = String.raw`
'use strict';
(function () {
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    var id = button.getAttribute('data-copy');
    var source = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (!source) return;
    var done = function (text) { if (status) status.textContent = text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () { done('Copied.'); }, function () { done('Copy failed: select the text and copy it.'); });
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done('Selected: press Ctrl+C (or Cmd+C).');
    }
  });
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
`;
