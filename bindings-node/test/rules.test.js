'use strict'
// The rank rule, one answer per situation, "notify by email", event channels and look-alike
// emails, through the Node package.
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, setup, rejectsWith } = require('./helpers')

async function footprint (tenant) {
  return [(await tenant.audit({ limit: 1000 })).length, (await tenant.outbox(1000)).length]
}

test('a member cannot act on an admin, and nothing changes', async () => {
  const { tenant } = await setup()
  await tenant.addCustomer(mk.SYSTEM, 'owner@x.com', { role: 'admin' })
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  const mia = (await tenant.addCustomer(mk.SYSTEM, 'mia@x.com', { role: 'member' })).member.id
  const before = await footprint(tenant)
  await rejectsWith(tenant.assignRole(mia, admin, 'customer'), 'permission_denied')
  await rejectsWith(tenant.deactivate(mia, admin), 'permission_denied')
  await rejectsWith(tenant.removeMember(mia, admin), 'permission_denied')
  assert.deepEqual(await footprint(tenant), before)
  assert.equal(await tenant.role(admin), 'admin')
})

test('foreign products and bad links are not_found', async () => {
  const { hub, tenant } = await setup()
  const other = await hub.createTenant('Other')
  const theirs = await other.createProduct(mk.SYSTEM, 'Theirs', 'course')
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com')).member.id
  await rejectsWith(tenant.grant(mk.SYSTEM, ada, theirs.id), 'not_found')
  await rejectsWith(tenant.invite(mk.SYSTEM, 'b@x.com', { products: [theirs.id] }), 'not_found')
  for (const token of ['not a token', 'mki_' + '0'.repeat(64), '']) {
    await rejectsWith(tenant.accept(token), 'not_found')
  }
})

test('notify: false writes no email event; every event says its channel', async () => {
  const { tenant, course } = await setup()
  await tenant.addCustomer(mk.SYSTEM, 'quiet@x.com', { products: [course.id], notify: false })
  await tenant.invite(mk.SYSTEM, 'hush@x.com', { notify: false })
  assert.deepEqual(await tenant.outbox(), [])
  const actions = (await tenant.audit()).map((e) => e.action)
  assert.ok(actions.includes('access.granted') && actions.includes('invite.created'))
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com', { products: [course.id] })).member.id
  await tenant.revoke(mk.SYSTEM, ada, course.id)
  assert.deepEqual((await tenant.outbox()).map((e) => [e.kind, e.channel]), [
    ['access.granted', 'email'],
    ['access.revoked', 'system'],
  ])
})

test('look-alike emails never claim another address\'s invite', async () => {
  const { hub, tenant } = await setup()
  await tenant.invite(mk.SYSTEM, 'sales@x.com')
  for (const lookAlike of ['ſales@x.com', 'ｓales@x.com', 'ѕales@x.com']) {
    assert.deepEqual(await hub.claim(lookAlike), [])
  }
  await rejectsWith(hub.claim('sa\u200bles@x.com'), 'invalid_input')
  assert.equal((await hub.claim('SALES@x.com')).length, 1)
})
