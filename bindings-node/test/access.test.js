'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, setup, rejectsWith } = require('./helpers')

test('add, grant, revoke, hasAccess and its sync twin', async () => {
  const { tenant, course } = await setup()
  const added = await tenant.addCustomer(mk.SYSTEM, 'Ada@Example.com', { name: 'Ada', products: [course.id] })
  assert.equal(added.outcome, 'created')
  assert.equal(added.member.email, 'Ada@Example.com')
  assert.equal(added.member.emailKey, 'ada@example.com')
  assert.ok(added.member.createdAt instanceof Date)
  assert.equal(await tenant.hasAccess(added.member.id, course.id), true)
  assert.equal(tenant.hasAccessSync(added.member.id, course.id), true)
  const again = await tenant.addCustomer(mk.SYSTEM, 'ADA@example.com')
  assert.equal(again.outcome, 'existing')
  assert.deepEqual((await tenant.access(added.member.id)).map((a) => a.product.id), [course.id])
  const revoked = await tenant.revoke(mk.SYSTEM, added.member.id, course.id)
  assert.equal(revoked.revokedBy, 'system')
  assert.equal(tenant.hasAccessSync(added.member.id, course.id), false)
  assert.equal(await tenant.revoke(mk.SYSTEM, added.member.id, course.id), null)
  assert.deepEqual((await tenant.outbox()).map((e) => e.kind), ['access.granted', 'access.revoked'])
})

test('a grant expires at its instant', async () => {
  const { hub, tenant, course, clock } = await setup()
  const m = (await tenant.addCustomer(mk.SYSTEM, 'x@example.com')).member
  const ends = new Date(hub.now().getTime() + 60_000)
  const g = await tenant.grant(mk.SYSTEM, m.id, course.id, { expiresAt: ends, source: 'purchase' })
  assert.equal(g.expiresAt.getTime(), ends.getTime())
  clock.advance(59_000)
  assert.equal(tenant.hasAccessSync(m.id, course.id), true)
  clock.advance(1000)
  assert.equal(tenant.hasAccessSync(m.id, course.id), false)
})

test('products: free, archived, custom kinds', async () => {
  const { tenant } = await setup()
  const free = await tenant.createProduct(mk.SYSTEM, 'Lounge', 'community', { paid: false })
  const call = await tenant.createProduct(mk.SYSTEM, 'Call', 'coaching-call')
  const m = (await tenant.addCustomer(mk.SYSTEM, 'a@example.com')).member
  assert.equal(tenant.hasAccessSync(m.id, free.id), true)
  await rejectsWith(tenant.grant(mk.SYSTEM, m.id, free.id), 'invalid_input')
  assert.equal((await tenant.archiveProduct(mk.SYSTEM, free.id)).archived, true)
  assert.equal(tenant.hasAccessSync(m.id, free.id), false)
  assert.equal((await tenant.product(call.id)).kind, 'coaching-call')
  assert.equal((await tenant.products()).length, 3)
  assert.equal((await tenant.info()).name, "Ada's Academy")
})

test('wrong argument types throw TypeError; bad values reject with invalid_input', async () => {
  const { tenant, course } = await setup()
  assert.throws(() => tenant.hasAccessSync(42, course.id), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE')
  assert.throws(() => tenant.grant(mk.SYSTEM, 'x', course.id, { expiresAt: 'tomorrow' }), TypeError)
  assert.throws(() => tenant.hasAccess(course.id), TypeError)
  const err = await rejectsWith(tenant.hasAccess('not-an-id', course.id), 'invalid_input')
  assert.match(err.message, /not a valid member id/)
  assert.throws(() => tenant.hasAccessSync('nope', course.id), (e) => e.code === 'invalid_input')
})

test('tenants are isolated', async () => {
  const { hub, tenant, course } = await setup()
  const other = await hub.createTenant('Other')
  const m = (await tenant.addCustomer(mk.SYSTEM, 'a@example.com', { products: [course.id] })).member
  await rejectsWith(other.hasAccess(m.id, course.id), 'not_found')
  await rejectsWith(other.member(m.id), 'not_found')
  assert.equal((await hub.tenant(tenant.id)).id, tenant.id)
  assert.equal(hub.tenantSync(tenant.id).id, tenant.id)
})

test('many promises in flight on one hub', async () => {
  const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'mk-'))
  const hub = mk.Hub.openSync(require('node:path').join(dir, 'hub.db'))
  const t = await hub.createTenant('T')
  const course = await t.createProduct(mk.SYSTEM, 'C', 'course')
  const added = await Promise.all(Array.from({ length: 200 }, (_, i) => t.addCustomer(mk.SYSTEM, `m${i}@example.com`, { products: [course.id] })))
  const checks = await Promise.all(added.map((a) => t.hasAccess(a.member.id, course.id)))
  assert.equal(checks.filter(Boolean).length, 200)
  assert.equal(await t.countCustomers(), 200)
})
