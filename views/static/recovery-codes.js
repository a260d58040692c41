// "Copy the codes" on the pages that show a fresh set of recovery codes (pages carry no inline script).
(function () {
  'use strict';
  var button = document.querySelector('button[data-copy]');
  if (!button || !navigator.clipboard) return;
  var status = document.querySelector('.copy-status');
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () { if (status) status.textContent = button.dataset.copied; },
      function () { if (status) status.textContent = button.dataset.failed; }
    );
  });
})();
