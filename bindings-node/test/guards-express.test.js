'use strict'
// The guarded Express example (examples/node): 401 with nobody signed in, 403 without access
// or permission, the page otherwise; a revoke applies on the very next request; guarded
// requests write nothing.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const mk = require('..')
const { guard } = require('../guards.js')

const example = path.join(__dirname, '..', '..', 'examples', 'node', 'guarded_express.js')

test('the Express guards answer 401, 403 or the page', async () => {
  const hub = await mk.Hub.open(':memory:')
  const { app, academy, course } = await require(example).createApp(hub)
  const other = await academy.createProduct(mk.SYSTEM, 'Async Rust', 'course')
  const add = async (email, options) => (await academy.addCustomer(mk.SYSTEM, email, options)).member.id
  const linus = await add('linus@example.com', { products: [course.id] })
  const nobody = await add('nobody@example.com')
  const admin = await add('admin@example.com', { role: 'admin' })
  const elsewhere = await (await hub.createTenant('Elsewhere')).addCustomer(mk.SYSTEM, 'out@example.com')
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  const base = `http://127.0.0.1:${server.address().port}`
  const get = async (at, member) => (await fetch(base + at, { headers: member ? { cookie: `member=${member}` } : {} })).status
  try {
    const newest = (await academy.audit({ limit: 1 }))[0].id
    const outbox = (await academy.outbox(1000)).length
    assert.equal(await get(`/courses/${course.id}`), 401)
    assert.equal(await get('/pricing'), 401)
    assert.equal(await get(`/courses/${course.id}`, linus), 200)
    assert.equal(await get(`/courses/${course.id}`, nobody), 403)
    assert.equal(await get(`/courses/${other.id}`, linus), 403)
    assert.equal(await get('/pricing', admin), 200)
    assert.equal(await get('/pricing', linus), 403)
    assert.equal(await get(`/courses/${course.id}`, elsewhere.member.id), 403, "another tenant's member")
    assert.equal(await get('/courses/01930000-0000-7000-8000-000000000000', linus), 403, 'no such product')
    assert.equal((await academy.audit({ limit: 1 }))[0].id, newest, 'guarded requests write nothing')
    assert.equal((await academy.outbox(1000)).length, outbox)
    await academy.revoke(mk.SYSTEM, linus, course.id)
    assert.equal(await get(`/courses/${course.id}`, linus), 403, 'a revoke applies at once')
  } finally {
    server.close()
  }
})

test('a guard says what it needs', async () => {
  const hub = await mk.Hub.open(':memory:')
  assert.throws(() => guard({}, { tenant: 't', member: () => null }), TypeError)
  assert.throws(() => guard(hub, { tenant: 't' }), /options.member is required/)
  assert.throws(() => guard(hub, { member: () => null }), /options.tenant is required/)
  // An unknown tenant is the core's not_found, passed to the app's error handler.
  const middleware = guard(hub, { tenant: '00000000-0000-7000-8000-000000000000', member: () => 'x' })
    .requireAccess('p')
  const err = await new Promise((resolve) => middleware({}, {}, resolve))
  assert.ok(err instanceof Error)
  assert.ok(['not_found', 'invalid_input'].includes(err.code), err.code)
  // The host's own callback failing is passed on, not thrown at the server.
  const broken = guard(hub, { tenant: 't', member: () => { throw new Error('session store down') } })
    .requirePermission('pricing')
  const passed = await new Promise((resolve) => broken({}, {}, resolve))
  assert.equal(passed.message, 'session store down')
})
