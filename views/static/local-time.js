// Shows every <time class="local-time" datetime="…"> in the reader's own time zone and in the page's
// language (the page says UTC without script), and says which zone the page now uses: the note
// #time-zone-note carries its words in data-local, "{zone}" standing for the zone's name.
(function () {
  'use strict';
  var times = document.querySelectorAll('time.local-time[datetime]');
  if (!times.length || typeof Intl === 'undefined') return;
  var lang = document.documentElement.lang || undefined;
  var options = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' };
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, options);
  } catch (e) {
    format = new Intl.DateTimeFormat(undefined, options);
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (var i = 0; i < times.length; i++) {
    var t = times[i];
    var when = new Date(t.getAttribute('datetime'));
    if (isNaN(when.getTime())) continue;
    t.title = t.textContent;
    t.textContent = format.format(when);
  }
  var note = document.getElementById('time-zone-note');
  var words = note && note.getAttribute('data-local');
  if (words && zone) note.textContent = words.replace('{zone}', zone);
})();
