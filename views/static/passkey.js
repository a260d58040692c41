// Passkey buttons on the sign-in pages. A form marked data-passkey="authenticate" or "register"
// carries the server's options in data-passkey-options; this runs the ceremony with SimpleWebAuthn
// (webauthn.js, loaded before), puts the browser's answer in the form's `response` field and submits.
// A form also marked data-passkey-autofill offers its passkeys in the username field's autofill.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-passkey]'));

  function say(form, text) {
    var box = form.querySelector('.passkey-message');
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  function explain(form, err) {
    var code = err && err.code;
    var name = err && err.name;
    if (code === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError') return form.dataset.passkeyCancelled;
    if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return form.dataset.passkeyExists || form.dataset.passkeyFailed;
    return form.dataset.passkeyFailed;
  }

  function ceremony(form, autofill) {
    var options = JSON.parse(form.dataset.passkeyOptions);
    if (form.dataset.passkey === 'register') return lib.startRegistration({ optionsJSON: options });
    return lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
  }

  function send(form, response) {
    form.elements.namedItem('response').value = JSON.stringify(response);
    // HTMLFormElement.submit() fires no submit event: this handler does not run again.
    form.submit();
  }

  forms.forEach(function (form) {
    if (!lib || !lib.browserSupportsWebAuthn()) {
      var button = form.querySelector('button');
      if (button) button.disabled = true;
      say(form, form.dataset.passkeyUnsupported);
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var box = form.querySelector('.passkey-message');
      if (box) box.hidden = true;
      ceremony(form, false).then(
        function (response) { send(form, response); },
        function (err) { say(form, explain(form, err)); }
      );
    });
  });

  var auto = forms.filter(function (f) { return f.hasAttribute('data-passkey-autofill'); })[0];
  if (auto && lib && lib.browserSupportsWebAuthnAutofill) {
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (!supported) return;
      // Waits until the user picks a passkey in the username field's suggestions; a click on the
      // button instead aborts this request, and that rejection is no news to anyone.
      ceremony(auto, true).then(function (response) { send(auto, response); }, function () {});
    });
  }
})();
