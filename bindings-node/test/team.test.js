'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, setup, rejectsWith } = require('./helpers')

const staff = async (t, email, role) => (await t.addCustomer(mk.SYSTEM, email, { role })).member.id

test('roles, can/canSync, workspaces', async () => {
  const { tenant } = await setup()
  const owner = await staff(tenant, 'owner@x.com', 'admin')
  const member = await staff(tenant, 'm@x.com', 'member')
  assert.equal(tenant.canSync(owner, 'pricing'), true)
  assert.equal(await tenant.can(member, 'pricing'), false)
  assert.ok(mk.PERMISSIONS.includes('users.manage'))
  const billing = await tenant.createRole(owner, 'Billing', ['payment', 'customers.manage'])
  assert.deepEqual(billing.permissions, ['customers.manage', 'payment'])
  const bill = await staff(tenant, 'bill@x.com', 'customer')
  await tenant.assignRole(owner, bill, billing.id)
  assert.equal(await tenant.role(bill), billing.id)
  await rejectsWith(tenant.createRole(member, 'Sneaky', ['pricing']), 'permission_denied')
  await rejectsWith(tenant.deleteRole(owner, billing.id), 'conflict')
  await tenant.updateRole(owner, billing.id, 'Billing', ['payment'])
  assert.deepEqual((await tenant.roles()).map((r) => r.name), ['Billing'])
  const acme = await tenant.createWorkspace(owner, 'Acme')
  assert.equal((await tenant.workspaces()).length, 1)
  const boss = await staff(tenant, 'boss@acme.com', 'customer')
  await tenant.addToWorkspace(owner, boss, acme.id, 'admin')
  assert.equal(tenant.canSync(boss, 'users.manage', acme.id), true)
  assert.equal(tenant.canSync(boss, 'users.manage'), false)
  assert.deepEqual((await tenant.outbox()).map((e) => e.kind), ['member.added_to_workspace'])
  assert.deepEqual((await tenant.workspaceMembers(acme.id)).map((w) => w.member.id), [boss])
  assert.equal((await tenant.assignments(boss)).length, 2)
  assert.equal(await tenant.removeFromWorkspace(owner, boss, acme.id), true)
  await rejectsWith(tenant.assignRole(owner, owner, 'member'), 'conflict')
})

test('the team and who may manage whom', async () => {
  const { tenant } = await setup()
  const owner = await staff(tenant, 'owner@x.com', 'admin')
  const member = await staff(tenant, 'm@x.com', 'member')
  const cleo = await staff(tenant, 'cleo@x.com', 'customer')
  const team = await tenant.team()
  assert.deepEqual(
    team.map((t) => [t.member.id, t.roles.map((a) => [a.role, a.workspace])]),
    [[owner, [['admin', null]]], [member, [['member', null]]]],
  )
  const auditBefore = (await tenant.audit()).length
  assert.equal(await tenant.mayManage(owner, member), true)
  assert.equal(await tenant.mayManage(member, cleo), true)
  assert.equal(await tenant.mayManage(member, owner), false)
  assert.equal(await tenant.mayManage(mk.SYSTEM, owner), true)
  assert.equal((await tenant.audit()).length, auditBefore)
  await rejectsWith(tenant.mayManage(owner, '00000000-0000-7000-8000-000000000000'), 'not_found')
})

test('deactivate, reactivate, remove, passwords', async () => {
  const { tenant, course } = await setup()
  const m = (await tenant.addCustomer(mk.SYSTEM, 'c@x.com', { products: [course.id] })).member
  assert.equal((await tenant.deactivate(mk.SYSTEM, m.id)).status, 'deactivated')
  assert.equal(tenant.hasAccessSync(m.id, course.id), false)
  assert.equal((await tenant.reactivate(mk.SYSTEM, m.id)).status, 'active')
  await tenant.setPassword(m.id, m.id, 'correct horse battery')
  const check = await tenant.verifyPassword('C@x.com', 'correct horse battery')
  assert.equal(check.member.id, m.id)
  assert.equal(check.mustChange, false)
  assert.equal(await tenant.verifyPassword('c@x.com', 'wrong password'), null)
  assert.equal(await tenant.verifyPassword('ghost@x.com', 'correct horse battery'), null)
  await rejectsWith(tenant.setPassword(mk.SYSTEM, m.id, 'short'), 'invalid_input')
  await tenant.deactivate(mk.SYSTEM, m.id)
  await rejectsWith(tenant.verifyPassword('c@x.com', 'correct horse battery'), 'member_deactivated')
  await tenant.removeMember(mk.SYSTEM, m.id)
  await rejectsWith(tenant.member(m.id), 'not_found')
  assert.equal(await tenant.memberByEmail('c@x.com'), null)
})

test('impersonation and the audit log', async () => {
  const { tenant, clock } = await setup()
  const admin = await staff(tenant, 'a@x.com', 'admin')
  const otherAdmin = await staff(tenant, 'b@x.com', 'admin')
  const c = (await tenant.addCustomer(mk.SYSTEM, 'c@x.com')).member
  await rejectsWith(tenant.impersonate(admin, otherAdmin, 'why'), 'permission_denied')
  const issued = await tenant.impersonate(admin, c.id, 'ticket 42', { durationMs: 600_000 })
  assert.match(issued.token, /^mkimp_/)
  const live = await tenant.verifyImpersonation(issued.token)
  assert.deepEqual([live.actorId, live.targetId], [admin, c.id])
  clock.advance(600_000)
  await rejectsWith(tenant.verifyImpersonation(issued.token), 'impersonation_ended')
  const second = await tenant.impersonate(admin, c.id, 'again')
  assert.ok((await tenant.endImpersonation(second.token)).endedAt instanceof Date)
  const actions = (await tenant.audit({ actor: admin })).map((e) => e.action)
  assert.equal(actions.filter((a) => a === 'impersonation.started').length, 2)
  const all = await tenant.audit({ limit: 1000 })
  const seen = []
  let before
  for (;;) {
    const page = await tenant.audit({ before, limit: 3 })
    if (page.length === 0) break
    seen.push(...page.map((e) => e.id))
    before = page[page.length - 1].id
  }
  assert.deepEqual(seen, all.map((e) => e.id))
  assert.equal((await tenant.updateSettings(mk.SYSTEM, { maxImpersonationMs: 300_000 })).maxImpersonationMs, 300_000)
})

test('seat limits cap the tenant and a workspace', async () => {
  const { tenant, course } = await setup()
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  const acme = await tenant.createWorkspace(mk.SYSTEM, 'Acme')
  assert.deepEqual(await tenant.seats(), { workspace: null, limit: null, taken: 1, available: null })
  await rejectsWith(tenant.setSeatLimit(admin, 10), 'permission_denied')
  await rejectsWith(tenant.setSeatLimit(mk.SYSTEM, 0), 'invalid_input')
  await rejectsWith(tenant.setSeatLimit(mk.SYSTEM, 2 ** 40), 'invalid_input')
  const seats = await tenant.setSeatLimit(mk.SYSTEM, 2)
  assert.deepEqual([seats.limit, seats.taken, seats.available], [2, 1, 1])
  assert.equal((await tenant.info()).seatLimit, 2)

  await tenant.invite(mk.SYSTEM, 'bo@x.com')
  const auditBefore = (await tenant.audit()).length
  await assert.rejects(tenant.addCustomer(mk.SYSTEM, 'cy@x.com', { products: [course.id] }), (err) => {
    assert.equal(err.code, 'seat_limit')
    assert.match(err.message, /2 seats/)
    return true
  })
  assert.equal(await tenant.memberByEmail('cy@x.com'), null)
  assert.equal((await tenant.audit()).length, auditBefore)

  const report = await tenant.importCustomers(mk.SYSTEM, 'email\ncy@x.com\n', { skipInvalid: true })
  assert.deepEqual(report.rows.map((r) => r.outcome), ['seat_limit'])
  await rejectsWith(tenant.importCustomers(mk.SYSTEM, 'email\ncy@x.com\n'), 'seat_limit')

  await tenant.setSeatLimit(mk.SYSTEM, null)
  const ws = await tenant.setSeatLimit(mk.SYSTEM, 1, { workspace: acme.id })
  assert.deepEqual([ws.workspace, ws.limit, ws.taken], [acme.id, 1, 0])
  assert.equal((await tenant.workspace(acme.id)).seatLimit, 1)
  await tenant.addToWorkspace(mk.SYSTEM, admin, acme.id, 'admin')
  const cy = (await tenant.addCustomer(mk.SYSTEM, 'cy@x.com')).member.id
  await rejectsWith(tenant.addToWorkspace(mk.SYSTEM, cy, acme.id, 'member'), 'seat_limit')
  assert.equal((await tenant.seats({ workspace: acme.id })).available, 0)
})

test('verified domains join or suggest', async () => {
  const { tenant } = await setup()
  const acme = await tenant.createWorkspace(mk.SYSTEM, 'Acme')
  const globex = await tenant.createWorkspace(mk.SYSTEM, 'Globex')
  const rule = await tenant.addDomain(mk.SYSTEM, acme.id, '@Acme.com')
  assert.deepEqual([rule.domain, rule.enrollment, rule.role], ['acme.com', 'join', 'member'])
  await tenant.addDomain(mk.SYSTEM, globex.id, 'globex.com', { enrollment: 'suggest', role: 'customer' })
  assert.deepEqual((await tenant.domains(acme.id)).map((d) => d.domain), ['acme.com'])
  await rejectsWith(tenant.addDomain(mk.SYSTEM, acme.id, 'gmail.com'), 'invalid_input')
  await rejectsWith(tenant.addDomain(mk.SYSTEM, globex.id, 'acme.com'), 'conflict')
  const pat = await tenant.claim('pat@acme.com')
  assert.equal(pat.invite.workspace, acme.id)
  assert.equal(await tenant.claim('pat@acme.com.evil.io'), null)
  assert.equal(await tenant.claim('lee@globex.com'), null)
  const [suggestion] = await tenant.invites('pending')
  assert.equal(suggestion.suggested, true)
  assert.equal((await tenant.acceptSuggestion('lee@globex.com')).member.email, 'lee@globex.com')
  assert.equal(await tenant.removeDomain(mk.SYSTEM, acme.id, 'acme.com'), true)
})
