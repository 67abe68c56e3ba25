// Signing in the browser through NCALayer (P-9, BP-6). A form marked `data-sign` is sent only
// with a CMS signature: the page gives the canonical bytes of the document (data-data, base64),
// the IIN whose key may sign and NCALayer's address; NCALayer asks for the key and its password
// in its own window and returns a detached CMS (kz.gov.pki.knca.basics, method sign). The
// server verifies it again. Messages shown here come translated from the page (data-msg-*).
(function () {
  'use strict';
  var SIGNING_KEY = '1.3.6.1.5.5.7.3.4';

  // Documents are signed with a signing key; a sign-in (data-key-usage="any") takes the key the
  // person picks, authentication or signing. An IIN typed in the form narrows the choice.
  function signerParams(form) {
    var typed = form.elements.iin ? form.elements.iin.value.trim() : '';
    var params = { iin: typed || form.dataset.iin || '' };
    if (form.dataset.keyUsage !== 'any') params.extKeyUsageOids = [SIGNING_KEY];
    return params;
  }

  function signRequest(form) {
    return JSON.stringify({
      module: 'kz.gov.pki.knca.basics',
      method: 'sign',
      args: {
        format: 'cms',
        data: form.dataset.data,
        signingParams: { decode: true, encapsulate: false, digested: false },
        signerParams: signerParams(form),
        locale: form.dataset.locale
      }
    });
  }

  // basics returns an array of PEM signatures (or {signatures: [...]} with outputCert).
  function firstSignature(result) {
    if (Array.isArray(result)) return result[0];
    if (result && Array.isArray(result.signatures)) return result.signatures[0];
    return result;
  }

  function sign(form) {
    var status = form.querySelector('[data-sign-status]');
    var say = function (key, detail) {
      status.textContent = (form.dataset[key] || '') + (detail ? ' (' + detail + ')' : '');
    };
    var finished = false;
    var greeted = false;
    var socket;
    say('msgConnecting');
    try {
      socket = new WebSocket(form.dataset.ncalayer);
    } catch (e) {
      say('msgUnavailable');
      return;
    }
    socket.onerror = function () {
      if (!finished) say('msgUnavailable');
    };
    socket.onclose = function () {
      if (!finished && !greeted) say('msgUnavailable');
    };
    socket.onmessage = function (event) {
      if (event.data === '--heartbeat--') return;
      var reply;
      try {
        reply = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!greeted) {
        greeted = true;
        socket.send(signRequest(form));
        return;
      }
      finished = true;
      socket.close();
      if (reply.status === true && reply.body && reply.body.result) {
        form.querySelector('input[name=cms]').value = firstSignature(reply.body.result);
        say('msgSending');
        form.submit();
      } else if (reply.status === true) {
        say('msgCancelled');
      } else {
        say('msgFailed', reply.code || reply.errorCode || reply.message);
      }
    };
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute('data-sign')) return;
    event.preventDefault();
    // What is signed is shown first (issue 21): a form with data-confirm signs only once the
    // person agrees to the question, which names the document and its amounts.
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    sign(form);
  });
})();
