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

test('addCustomer with a password or a temporary one', async () => {
  const { tenant } = await setup()
  const given = await tenant.addCustomer(mk.SYSTEM, 'ana@crm.example', { password: 'chosen in the CRM' })
  assert.equal(given.passwordSet, true)
  assert.equal(given.temporaryPassword, null)
  assert.equal((await tenant.verifyPassword('ana@crm.example', 'chosen in the CRM')).mustChange, false)
  const temp = await tenant.addCustomer(mk.SYSTEM, 'ben@crm.example', { temporaryPassword: true })
  assert.equal(temp.temporaryPassword.length, 16)
  assert.equal((await tenant.verifyPassword('ben@crm.example', temp.temporaryPassword)).mustChange, true)
  const again = await tenant.addCustomer(mk.SYSTEM, 'ANA@crm.example', { password: 'a takeover attempt' })
  assert.equal(again.outcome, 'existing')
  assert.equal(again.passwordSet, false)
  assert.equal(await tenant.verifyPassword('ana@crm.example', 'a takeover attempt'), null)
  const before = [(await tenant.audit()).length, (await tenant.outbox()).length, await tenant.countCustomers()]
  await rejectsWith(tenant.addCustomer(mk.SYSTEM, 'cat@crm.example', { password: 'short' }), 'invalid_input')
  await rejectsWith(tenant.addCustomer(mk.SYSTEM, 'cat@crm.example', { password: 'long enough', temporaryPassword: true }), 'invalid_input')
  assert.throws(() => tenant.addCustomer(mk.SYSTEM, 'cat@crm.example', { password: 12345678 }), TypeError)
  assert.deepEqual([(await tenant.audit()).length, (await tenant.outbox()).length, await tenant.countCustomers()], before)
})

test('metadata on members, invites and products', async () => {
  const { tenant } = await setup()
  const product = await tenant.createProduct(mk.SYSTEM, 'Pro', 'membership', { metadata: { stripePrice: 'price_1' } })
  assert.deepEqual((await tenant.product(product.id)).metadata, { stripePrice: 'price_1' })
  const crm = { hubspotId: 42, ratio: 0.5, vip: true, tags: ['a'], address: { city: 'Oslo' }, none: null }
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com', { metadata: crm })).member
  assert.deepEqual(ada.metadata, crm)
  const patched = await tenant.updateMemberMetadata(mk.SYSTEM, ada.id, { hubspotId: 43, tags: null })
  assert.equal(patched.metadata.hubspotId, 43)
  assert.equal('tags' in patched.metadata, false)
  const p = await tenant.updateProductMetadata(mk.SYSTEM, product.id, { sku: 'P' })
  assert.deepEqual(p.metadata, { stripePrice: 'price_1', sku: 'P' })
  const issued = await tenant.invite(mk.SYSTEM, 'bo@x.com', { metadata: { cohort: 3 } })
  assert.deepEqual(issued.invite.metadata, { cohort: 3 })
  assert.deepEqual((await tenant.accept(issued.token)).member.metadata, { cohort: 3 })
})

test('metadata that is not JSON is refused without crashing', async () => {
  const { tenant } = await setup()
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com')).member
  const looped = {}
  looped.self = looped
  const before = (await tenant.audit()).length
  for (const bad of [looped, ['array'], 'text', { f: () => 1 }]) {
    assert.throws(() => tenant.updateMemberMetadata(mk.SYSTEM, ada.id, bad), (err) => err instanceof TypeError)
  }
  await rejectsWith(tenant.updateMemberMetadata(mk.SYSTEM, ada.id, { x: 'y'.repeat(9000) }), 'invalid_input')
  assert.equal((await tenant.audit()).length, before)
  assert.deepEqual((await tenant.member(ada.id)).metadata, {})
})

test('a grant can start later, and sweep tells each event once', async () => {
  const { hub, tenant, course, clock } = await setup()
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com')).member
  const opens = new Date(hub.now().getTime() + 86_400_000)
  const grant = await tenant.grant(mk.SYSTEM, ada.id, course.id, { startsAt: opens })
  assert.deepEqual(grant.startsAt, opens)
  assert.equal(await tenant.hasAccess(ada.id, course.id), false)
  await rejectsWith(tenant.grant(mk.SYSTEM, ada.id, course.id, { startsAt: opens, expiresAt: opens }), 'invalid_input')
  await tenant.ack((await tenant.outbox()).map((e) => e.id))
  clock.advance(86_400_000)
  assert.equal(await tenant.hasAccess(ada.id, course.id), true)
  assert.deepEqual(await hub.sweep(), { tenants: 1, events: 1 })
  assert.equal((await hub.sweep()).events, 0)
  assert.deepEqual((await tenant.outbox()).map((e) => e.kind), ['access.started'])
  await rejectsWith(hub.sweep(new Date(hub.now().getTime() + 1000)), 'invalid_input')
  const info = await tenant.updateSettings(mk.SYSTEM, { expiryRemindersMs: [3 * 86_400_000] })
  assert.deepEqual(info.expiryRemindersMs, [3 * 86_400_000])
  await rejectsWith(tenant.updateSettings(mk.SYSTEM, { expiryRemindersMs: [60_000] }), 'invalid_input')
})

test('bundles give what they include and refuse cycles', async () => {
  const { tenant, course } = await setup()
  const bundle = await tenant.createProduct(mk.SYSTEM, 'All Access', 'membership')
  const items = await tenant.includeInBundle(mk.SYSTEM, bundle.id, course.id)
  assert.deepEqual(items.map((p) => p.id), [course.id])
  assert.deepEqual((await tenant.bundleItems(bundle.id)).map((p) => p.id), [course.id])
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com', { products: [bundle.id] })).member
  assert.equal(await tenant.hasAccess(ada.id, course.id), true)
  assert.equal(tenant.hasAccessSync(ada.id, course.id), true)
  const via = Object.fromEntries((await tenant.access(ada.id)).map((a) => [a.product.id, a.via]))
  assert.equal(via[course.id], bundle.id)
  assert.equal(via[bundle.id], null)
  await rejectsWith(tenant.includeInBundle(mk.SYSTEM, bundle.id, bundle.id), 'conflict')
  assert.equal(await tenant.removeFromBundle(mk.SYSTEM, bundle.id, course.id), true)
  assert.equal(await tenant.hasAccess(ada.id, course.id), false)
})
