import test from 'node:test'
import assert from 'node:assert/strict'
import memberkit, { Hub, SYSTEM, ERROR_CODES } from 'memberkit'

test('ES module import works and matches the CommonJS entry', async () => {
  const hub = await Hub.open(':memory:')
  const t = await hub.createTenant('ESM')
  const p = await t.createProduct(SYSTEM, 'C', 'course')
  const m = await t.addCustomer(SYSTEM, 'a@example.com', { products: [p.id] })
  assert.equal(t.hasAccessSync(m.member.id, p.id), true)
  assert.equal(memberkit.Hub, Hub)
  assert.ok(ERROR_CODES.includes('invite_expired'))
})
