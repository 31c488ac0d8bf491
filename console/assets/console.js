// memberkit console: small enhancements only; every page works without this script.
'use strict'
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]')
  if (!button || !navigator.clipboard) return
  const source = document.getElementById(button.getAttribute('data-copy'))
  if (!source) return
  navigator.clipboard.writeText(source.value || source.textContent).then(() => {
    button.textContent = 'Copied'
  })
})
