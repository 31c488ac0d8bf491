'use strict'
// The Express example app (examples/node), as a user runs it: sign in, the back office at
// /dashboard, a form, a forged post, "Log in as".
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')

const example = path.join(__dirname, '..', '..', 'examples', 'node', 'console_express.js')
const tokenOf = (html) => html.match(/name="csrf" value="([^"]+)"/)[1]

test('the Express app mounts the console at /dashboard', async () => {
  const { createApp } = require(example)
  const app = await createApp()
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    const anonymous = await fetch(`${base}/dashboard/customers`, { redirect: 'manual' })
    assert.equal(anonymous.status, 303)
    assert.equal(anonymous.headers.get('location'), '/login')
    const login = await (await fetch(`${base}/login`)).text()
    const admin = login.match(/value="([^"]+)">Sign in as the admin/)[1]
    const signedIn = await fetch(`${base}/login`, {
      method: 'POST', body: new URLSearchParams({ member: admin }), redirect: 'manual',
    })
    const cookie = signedIn.headers.get('set-cookie').split(';')[0]
    const page = (await (await fetch(`${base}/dashboard/customers`, { headers: { cookie } })).text()).replaceAll('&#x2f;', '/')
    assert.ok(page.includes('Grace Hopper') && page.includes('href="/dashboard/customers/new"'))
    const form = await (await fetch(`${base}/dashboard/customers/new`, { headers: { cookie } })).text()
    const post = (fields) => fetch(`${base}/dashboard/customers`, {
      method: 'POST', headers: { cookie, origin: base }, body: new URLSearchParams(fields), redirect: 'manual',
    })
    assert.equal((await post({ email: 'new@example.com' })).status, 403)
    const added = await post({ csrf: tokenOf(form), email: 'new@example.com' })
    assert.equal(added.status, 303)
    assert.match(added.headers.get('location'), /^\/dashboard\//)
    // Log in as Grace: the token lands in the app's own cookie, never in a URL.
    const grace = page.match(/href="\/dashboard\/customers\/([0-9a-f-]+)">Grace/)[1]
    const at = `${base}/dashboard/members/${grace}/impersonate`
    const reason = await (await fetch(at, { headers: { cookie } })).text()
    const started = await fetch(at, {
      method: 'POST', headers: { cookie, origin: base }, body: new URLSearchParams({ csrf: tokenOf(reason), reason: 'Ticket 1' }), redirect: 'manual',
    })
    assert.equal(started.status, 303)
    assert.equal(started.headers.get('location'), '/')
    const viewAs = started.headers.getSetCookie().find((c) => c.startsWith('view_as=')).split(';')[0]
    const home = await (await fetch(base, { headers: { cookie: `${cookie}; ${viewAs}` } })).text()
    assert.match(home, /Viewing the site as grace@example.com/)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})
