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
// A "Download" button beside text that is shown once (temporary passwords): the file is made
// in the browser from the page, so the passwords never travel in a URL.
for (const area of document.querySelectorAll('textarea[data-mk-download]')) {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'mk-button'
  button.textContent = 'Download CSV'
  button.addEventListener('click', () => {
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([area.value], { type: 'text/csv' }))
    link.download = area.getAttribute('data-mk-download')
    link.click()
    setTimeout(() => URL.revokeObjectURL(link.href), 1000)
  })
  area.after(button)
}
