'use strict'
// The console's pages through the middleware, mounted in a real node:http server (as Connect
// strips the prefix) and reached with fetch.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const util = require('node:util')
const { mk, setup } = require('./helpers')
const { backOffice, invitee } = require('../console')

const SECRET = "a secret of the host's, 32 bytes long"

/** Serves `handler` below `mount` (the prefix stripped, as Connect does) on a free port. */
async function serve (mount, handler) {
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith(mount)) {
      res.writeHead(404)
      return res.end()
    }
    req.originalUrl = req.url
    req.url = req.url.slice(mount.length) || '/'
    handler(req, res, (err) => {
      res.writeHead(500)
      res.end(String(err))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  return { base, close: () => new Promise((resolve) => server.close(resolve)) }
}

const tokenOf = (html) => html.match(/name="csrf" value="([^"]+)"/)[1]
const form = (fields) => new URLSearchParams(fields).toString()
const footprint = async (tenant) => [(await tenant.audit({ limit: 1000 })).length, (await tenant.outbox(1000)).length]

test('the back office through the middleware: pages, forms, refusals, the mount prefix', async () => {
  const { hub, tenant, course } = await setup()
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  let actor = admin
  const site = await serve('/staff', backOffice(hub, { secret: SECRET, tenant: () => tenant.id, actor: async () => actor }))
  try {
    const page = await fetch(`${site.base}/staff/customers/new`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/)
    const html = await page.text()
    assert.ok(html.replaceAll('&#x2f;', '/').includes('action="/staff/customers"'))
    const headers = { 'content-type': 'application/x-www-form-urlencoded', origin: site.base }
    const before = await footprint(tenant)
    const forged = await fetch(`${site.base}/staff/customers`, { method: 'POST', headers, body: form({ email: 'lin@x.com' }), redirect: 'manual' })
    assert.equal(forged.status, 403)
    const cross = await fetch(`${site.base}/staff/customers`, {
      method: 'POST', headers: { ...headers, origin: 'https://evil.example' }, body: form({ csrf: tokenOf(html), email: 'lin@x.com' }), redirect: 'manual',
    })
    assert.equal(cross.status, 403)
    assert.deepEqual(await footprint(tenant), before)
    const added = await fetch(`${site.base}/staff/customers`, {
      method: 'POST', headers, body: form({ csrf: tokenOf(html), email: 'lin@x.com', product: course.id }), redirect: 'manual',
    })
    assert.equal(added.status, 303)
    assert.match(added.headers.get('location'), /^\/staff\//)
    const lin = await tenant.memberByEmail('lin@x.com')
    assert.equal(await tenant.hasAccess(lin.id, course.id), true)
    actor = null
    assert.equal((await fetch(`${site.base}/staff/customers`)).status, 401)
  } finally {
    await site.close()
  }
})

test('log in as hands the token to the host, kept out of logs', async () => {
  const { hub, tenant } = await setup()
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com')).member.id
  const handed = []
  const onHandoff = (req, handoff) => {
    handed.push(handoff)
    return [['set-cookie', 'host_session=viewing-as; HttpOnly']]
  }
  const site = await serve('/bo', backOffice(hub, { secret: SECRET, tenant: () => tenant.id, actor: () => admin, onHandoff }))
  try {
    const html = await (await fetch(`${site.base}/bo/members/${ada}/impersonate`)).text()
    const started = await fetch(`${site.base}/bo/members/${ada}/impersonate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.base },
      body: form({ csrf: tokenOf(html), reason: 'Ticket 7', minutes: '5' }),
    })
    assert.equal(started.status, 200)
    assert.match(started.headers.get('set-cookie'), /host_session=viewing-as/)
    const [handoff] = handed
    assert.equal(handoff.kind, 'impersonation')
    const token = handoff.impersonation.token
    assert.equal((await tenant.verifyImpersonation(token)).targetId, ada)
    assert.ok(!(await started.text()).includes(token))
    assert.ok(!util.inspect(handoff, { depth: 5 }).includes(token) && !JSON.stringify(handoff).includes(token))
  } finally {
    await site.close()
  }
})

test('the invitee pages move the token out of the address bar and hand over on accept', async () => {
  const { hub, tenant } = await setup()
  const issued = await tenant.invite(mk.SYSTEM, 'lin@x.com')
  const site = await serve('/invite', invitee(hub, {
    secret: SECRET,
    signedIn: () => null,
    onHandoff: (req, handoff) => `/signup?${new URLSearchParams({ email: handoff.email })}`,
  }))
  try {
    const first = await fetch(`${site.base}/invite/?token=${issued.token}`, { redirect: 'manual' })
    assert.equal(first.status, 303)
    assert.equal(first.headers.get('location'), '/invite/')
    const cookie = first.headers.get('set-cookie').split(';')[0]
    const page = await fetch(`${site.base}/invite/`, { headers: { cookie } })
    const html = await page.text()
    assert.ok(html.includes('lin@x.com') && !html.includes(issued.token))
    const done = await fetch(`${site.base}/invite/accept`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: site.base },
      body: form({ csrf: tokenOf(html) }),
      redirect: 'manual',
    })
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/signup?email=lin%40x.com')
    assert.equal((await tenant.getInvite(issued.invite.id)).status, 'accepted')
  } finally {
    await site.close()
  }
})

test('a console takes a hub and a secret, and refuses bad options', async () => {
  const { hub } = await setup()
  assert.throws(() => backOffice({}, { secret: SECRET, tenant: () => null, actor: () => null }), TypeError)
  assert.throws(() => backOffice(hub, { tenant: () => null, actor: () => null }), /secret is required/)
  assert.throws(() => new mk.Console(hub, Buffer.from(SECRET), { templates: { 'nope.html': 'x' } }), (e) => e.code === 'invalid_input')
  assert.throws(() => new mk.Console(hub, Buffer.from(SECRET), { loginUrl: '/login', colour: 'red' }), TypeError)
})

test('a long import page streams its progress, chunk by chunk, then the result', async () => {
  const { hub, tenant } = await setup()
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  // Every import counts as long here: the page shows progress at once.
  const site = await serve('/staff', backOffice(hub, { secret: SECRET, tenant: () => tenant.id, actor: () => admin, progressAfterMs: 0 }))
  try {
    const html = await (await fetch(`${site.base}/staff/import`)).text()
    const lines = Array.from({ length: 2500 }, (_, i) => `p${i}@x.com`).join('\n')
    const run = await fetch(`${site.base}/staff/import/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.base },
      body: form({ csrf: tokenOf(html), text: lines, mode: 'grant' }),
    })
    assert.equal(run.status, 200)
    assert.equal(run.headers.get('x-accel-buffering'), 'no')
    assert.equal(run.headers.get('content-length'), null)
    const parts = []
    const decoder = new TextDecoder()
    for await (const chunk of run.body) parts.push(decoder.decode(chunk, { stream: true }))
    const page = parts.join('')
    assert.ok(parts.length >= 2, 'sent in parts')
    assert.ok((page.match(/<progress/g) || []).length >= 2)
    assert.match(page, /value="2500" max="2500"/)
    assert.match(page, /2500 created/)
    assert.match(page.trimEnd(), /<\/html>$/)
    assert.equal(await tenant.countCustomers(), 2501)
  } finally {
    await site.close()
  }
})
