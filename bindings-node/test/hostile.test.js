'use strict'
// Hostile values through the package on every store (SQLite, and PostgreSQL when
// MEMBERKIT_TEST_POSTGRES names a server): wrong types, huge strings, NUL bytes, lone
// surrogates, bogus cursors and tokens, hostile sources and callbacks. Each is a typed error,
// the process survives, and nothing changes. Mirrors bindings-python/tests/test_hostile_values.py.
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, stores, target } = require('./helpers')


const HUGE = 'a'.repeat(1_000_000) + '@example.com'
const BAD_STRINGS = ['a\u0000b@example.com', '\ud800@example.com', HUGE, '', 'not an email', 'a@b@c']
const BAD_TYPES = [null, 42, 3.5, Buffer.from('b@example.com'), ['a@example.com'], {}]

/** A typed refusal: a memberkit Error with a code, or a TypeError for a value of the wrong type. */
async function refused (call) {
  let error
  try {
    await call()
  } catch (err) {
    error = err
  }
  assert.ok(error instanceof Error, 'expected a refusal')
  assert.ok(error instanceof TypeError || typeof error.code === 'string' || error.own, `untyped: ${error}`)
  assert.notEqual(error.code, 'storage', `a storage error: ${error.message}`)
  return error
}

async function footprint (tenant) {
  return [
    (await tenant.audit({ limit: 1000 })).length,
    (await tenant.outbox(1000)).length,
    (await tenant.invites()).length,
    await tenant.countCustomers()
  ]
}

for (const store of stores) {
  test(`${store}: bad emails, names and types change nothing`, async () => {
    const hub = await mk.Hub.open(target(store))
    const tenant = await hub.createTenant('Hostile')
    const course = await tenant.createProduct(mk.SYSTEM, 'Course', 'course')
    const before = await footprint(tenant)
    for (const bad of [...BAD_STRINGS, ...BAD_TYPES]) {
      await refused(() => tenant.addCustomer(mk.SYSTEM, bad, { products: [course.id] }))
      await refused(() => tenant.invite(mk.SYSTEM, bad, { products: [course.id] }))
    }
    for (const name of [HUGE, 'x'.repeat(201), 'a\u0000b', 42]) {
      await refused(() => tenant.addCustomer(mk.SYSTEM, 'ok@example.com', { name }))
    }
    assert.deepEqual(await footprint(tenant), before)
  })

  test(`${store}: bogus tokens, cursors, searches and NULs are typed errors`, async () => {
    const hub = await mk.Hub.open(target(store))
    const tenant = await hub.createTenant('Hostile')
    const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@example.com')).member.id
    const before = await footprint(tenant)
    for (const token of ['', 'mki_', 'mki_' + '0'.repeat(64), 'x\u0000y', '\ud800', HUGE]) {
      assert.equal((await refused(() => tenant.accept(token))).code, 'not_found')
      await refused(() => tenant.verifyImpersonation(token))
    }
    for (const cursor of ['', 'garbage', '\u0000', HUGE, Buffer.from('email\na\u0000b').toString('hex')]) {
      assert.equal((await refused(() => tenant.customers({ cursor, sort: 'email' }))).code, 'invalid_input')
    }
    for (const search of ['x'.repeat(10_000), 'a\u0000b', '\u0007']) {
      assert.equal((await refused(() => tenant.customers({ search }))).code, 'invalid_input')
    }
    const nul = 'a\u0000b'
    for (const call of [
      () => hub.createTenant(nul),
      () => tenant.createWorkspace(mk.SYSTEM, nul),
      () => tenant.createRole(mk.SYSTEM, nul, ['pricing']),
      () => tenant.createProduct(mk.SYSTEM, nul, 'course'),
      () => tenant.impersonate(mk.SYSTEM, ada, nul),
      () => tenant.audit({ subject: nul }),
      () => tenant.memberByEmail(nul)
    ]) {
      assert.equal((await refused(call)).code, 'invalid_input')
    }
    assert.deepEqual(await footprint(tenant), before)
  })

  test(`${store}: hostile import sources and callbacks change nothing`, async () => {
    const hub = await mk.Hub.open(target(store))
    const tenant = await hub.createTenant('Hostile')
    const course = await tenant.createProduct(mk.SYSTEM, 'Course', 'course')
    const before = await footprint(tenant)
    for (const source of [42, null, {}, { path: '/nonexistent/members.csv' }, { path: 42 }]) {
      await refused(() => tenant.importCustomers(mk.SYSTEM, source, { products: [course.id], mode: 'grant' }))
    }
    const csv = 'email\n' + Array.from({ length: 3000 }, (_, i) => `p${i}@example.com`).join('\n')
    // The callback's own error comes back as it was thrown (atomic: nothing is kept).
    const exploding = () => { throw Object.assign(new RangeError('callback on fire'), { own: true }) }
    const err = await refused(() => tenant.importCustomers(mk.SYSTEM, csv, { products: [course.id], mode: 'grant', progress: exploding, atomic: true }))
    assert.match(err.message, /callback on fire/)
    for (const text of ['email\nada@example.com\nb\u0000b@example.com\n', 'email\n' + HUGE + '\nada@example.com\n']) {
      const report = await tenant.importCustomers(mk.SYSTEM, text, { products: [course.id], mode: 'grant' })
      assert.equal(report.applied, false)
      assert.ok(report.rows.some((r) => r.outcome === 'invalid'))
    }
    assert.deepEqual(await footprint(tenant), before)
  })
}
