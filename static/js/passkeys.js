// allauth's webauthn.js reports a passkey the device would not make or use (cancelled,
// timed out, none for this site) as an "allauth.error" event; say so on the page.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const box = document.getElementById('passkey-error')
    if (!box) return
    event.preventDefault()
    box.textContent = 'Your device made or used no passkey (perhaps it was cancelled). ' +
      'Try again, or choose another way.'
    box.hidden = false
  })
})()
