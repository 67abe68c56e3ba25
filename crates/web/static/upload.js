// Progress of large uploads (EX-5). A form marked `data-progress` is sent with
// XMLHttpRequest so that the share of the file already sent shows in its <progress>; once the
// file is up, the label says the server is checking it. The answer is shown as a plain
// submission would show it: a redirect opens its page, a refusal replaces the page with the
// message naming the row and column. Labels come translated from the form (data-msg-*).
(function () {
  'use strict';

  function send(form, event) {
    if (!window.XMLHttpRequest || !window.FormData) return;
    event.preventDefault();
    var bar = form.querySelector('progress');
    var label = form.querySelector('[data-progress-label]');
    var button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      label.textContent = form.dataset.msgSending + ' ' + Math.round((100 * e.loaded) / e.total) + '%';
    };
    xhr.upload.onload = function () {
      // The server reads and checks the whole file before it answers: an indeterminate bar.
      bar.removeAttribute('value');
      label.textContent = form.dataset.msgChecking;
    };
    xhr.onload = function () {
      var redirected = xhr.responseURL && xhr.responseURL.indexOf(form.getAttribute('action')) < 0;
      if (xhr.status < 400 && redirected) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      bar.hidden = true;
      label.textContent = form.dataset.msgFailed;
      if (button) button.disabled = false;
    };
    xhr.send(new FormData(form));
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute('data-progress')) send(form, event);
  });
})();
