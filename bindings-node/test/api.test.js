'use strict'
// The package exposes every operation the core lists (camelCase), a `…Sync` twin where the
// core says a read is cheap enough, and the twins behave as their async versions.
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, setup } = require('./helpers')

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

test('every core operation is exposed, with the sync twins the core lists', () => {
  const ops = mk.__operations()
  const classes = { Hub: mk.Hub, Tenant: mk.Tenant }
  for (const [cls, names] of Object.entries({ Hub: ops.Hub, Tenant: ops.Tenant })) {
    assert.ok(names.length > 5)
    const target = classes[cls]
    const missing = names.filter((n) => !(camel(n) in target.prototype) && !(camel(n) in target))
    assert.deepEqual(missing, [], `${cls} lacks ${missing}`)
  }
  const twins = ops.sync.map((n) => `${camel(n)}Sync`)
  const missing = twins.filter((n) => !(n in mk.Hub) && !(n in mk.Hub.prototype) && !(n in mk.Tenant.prototype))
  assert.deepEqual(missing, [])
})

test('a sync twin answers and fails exactly as its async version', async () => {
  const { hub, tenant, course } = await setup()
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com', { products: [course.id] })).member.id
  assert.equal(tenant.hasAccessSync(ada, course.id), await tenant.hasAccess(ada, course.id))
  assert.equal(tenant.canSync(ada, 'users.manage'), await tenant.can(ada, 'users.manage'))
  assert.equal(hub.tenantSync(tenant.id).id, (await hub.tenant(tenant.id)).id)
  const unknown = '01a201ea-6388-7318-a9c7-d48f998f2b23'
  for (const [sync, async] of [
    [() => tenant.hasAccessSync(unknown, course.id), () => tenant.hasAccess(unknown, course.id)],
    [() => tenant.canSync('nope', 'users.manage'), () => tenant.can('nope', 'users.manage')],
    [() => hub.tenantSync(unknown), () => hub.tenant(unknown)],
  ]) {
    let thrown
    try { sync() } catch (err) { thrown = err }
    assert.ok(thrown instanceof Error)
    await assert.rejects(async(), (err) => err.code === thrown.code && err.message === thrown.message)
  }
})


test('tenants lists every tenant oldest first', async () => {
  const clock = new mk.ManualClock(new Date('2026-01-05T09:00:00Z'))
  const hub = await mk.Hub.open(':memory:', clock)
  const first = await hub.createTenant('First')
  clock.advance(60_000)
  const second = await hub.createTenant('Second')
  const listed = await hub.tenants()
  assert.deepEqual(listed.map((t) => t.name), ['First', 'Second'])
  assert.deepEqual(listed.map((t) => t.id), [first.id, second.id])
  assert.deepEqual(listed[1], await second.info())
})
