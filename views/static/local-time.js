// Shows every <time class="local-time" datetime="…"> in the reader's own time zone (the page says UTC
// without script), and says which zone the page now uses.
(function () {
  'use strict';
  var times = document.querySelectorAll('time.local-time[datetime]');
  if (!times.length || typeof Intl === 'undefined') return;
  var format = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'your time zone';
  for (var i = 0; i < times.length; i++) {
    var t = times[i];
    var when = new Date(t.getAttribute('datetime'));
    if (isNaN(when.getTime())) continue;
    t.title = t.textContent;
    t.textContent = format.format(when);
  }
  var note = document.getElementById('time-zone-note');
  if (note) note.textContent = 'Times in your time zone (' + zone + ')';
})();
