'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { mk, setup, rejectsWith } = require('./helpers')

test('invite, accept, single use', async () => {
  const { tenant, course } = await setup()
  const issued = await tenant.invite(mk.SYSTEM, 'lin@example.com', { name: 'Lin', products: [course.id] })
  assert.equal(issued.invite.status, 'pending')
  assert.match(issued.token, /^mki_[0-9a-f]{64}$/)
  assert.equal((await tenant.member(issued.invite.memberId)).status, 'invited')
  const accepted = await tenant.accept(issued.token, 'LIN@example.com')
  assert.equal(accepted.member.status, 'active')
  assert.equal(accepted.granted.length, 1)
  assert.equal(tenant.hasAccessSync(accepted.member.id, course.id), true)
  await rejectsWith(tenant.accept(issued.token), 'invite_used')
})

test('merge, expiry, resend, claim, revoke, mismatch, hub claim', async () => {
  const { hub, tenant, course, clock } = await setup()
  const first = await tenant.invite(mk.SYSTEM, 'sam@example.com')
  const merged = await tenant.invite(mk.SYSTEM, 'SAM@example.com', { products: [course.id] })
  assert.equal(merged.merged, true)
  await rejectsWith(tenant.accept(first.token), 'not_found')
  clock.advance((7 * 24 * 3600 + 1) * 1000)
  assert.equal((await tenant.getInvite(merged.invite.id)).status, 'expired')
  await rejectsWith(tenant.accept(merged.token), 'invite_expired')
  // An expired invite is not pending: a sign-up claims nothing, here or hub-wide.
  assert.equal(await tenant.claim('sam@example.com'), null)
  assert.deepEqual(await hub.claim('sam@example.com'), [])
  assert.equal(await tenant.declinePending('sam@example.com'), null)
  const resent = await tenant.resendInvite(mk.SYSTEM, merged.invite.id)
  assert.deepEqual((await tenant.invites('pending')).map((i) => i.id), [merged.invite.id])
  const claimed = await tenant.claim('Sam@Example.com')
  assert.equal(tenant.hasAccessSync(claimed.member.id, course.id), true)
  assert.equal(await tenant.claim('sam@example.com'), null)
  await rejectsWith(tenant.accept(resent.token), 'invite_used')
  const r = await tenant.invite(mk.SYSTEM, 'r@example.com')
  assert.equal((await tenant.revokeInvite(mk.SYSTEM, r.invite.id)).status, 'revoked')
  await rejectsWith(tenant.accept(r.token), 'invite_revoked')
  const x = await tenant.invite(mk.SYSTEM, 'x@example.com')
  await rejectsWith(tenant.accept(x.token, 'y@example.com'), 'invite_email_mismatch')
  const other = await hub.createTenant('Other', { inviteLifetimeMs: 3600_000 })
  const o = await other.invite(mk.SYSTEM, 'kim@example.com')
  assert.equal(o.invite.expiresAt.getTime() - hub.now().getTime(), 3600 * 1000)
  await tenant.invite(mk.SYSTEM, 'kim@example.com')
  assert.equal((await hub.claim('KIM@example.com')).length, 2)
})

test('outbox drain and ack', async () => {
  const { hub, tenant, course } = await setup()
  await tenant.invite(mk.SYSTEM, 'a@example.com', { products: [course.id] })
  const events = await hub.outbox()
  assert.deepEqual(events.map((e) => e.kind), ['invite.created'])
  assert.equal(events[0].payload.email, 'a@example.com')
  assert.equal(events[0].payload.token, undefined)
  assert.equal(await hub.ack(events.map((e) => e.id)), 1)
  assert.equal(await tenant.ack(events.map((e) => e.id)), 0)
  assert.deepEqual(await hub.outbox(), [])
})

test('an invite with its own lifetime and a personal message', async () => {
  const { hub, tenant, clock } = await setup()
  const day = 24 * 3600 * 1000
  const issued = await tenant.invite(mk.SYSTEM, 'ada@client.com', { lifetimeMs: 2 * day, message: 'Hi Ada,\nwelcome.' })
  assert.equal(issued.invite.lifetimeMs, 2 * day)
  assert.equal(issued.invite.message, 'Hi Ada,\nwelcome.')
  assert.equal(issued.invite.expiresAt.getTime(), hub.now().getTime() + 2 * day)
  const [event] = await tenant.outbox()
  assert.equal(event.payload.message, 'Hi Ada,\nwelcome.')
  assert.ok(!JSON.stringify(event.payload).includes(issued.token))
  clock.advance(3 * day)
  const resent = await tenant.resendInvite(mk.SYSTEM, issued.invite.id)
  assert.equal(resent.invite.expiresAt.getTime(), hub.now().getTime() + 2 * day, 'its own lifetime again')
  assert.equal((await tenant.info()).maxInviteLifetimeMs, 30 * day)
  assert.equal((await tenant.getInvite(issued.invite.id)).lifetimeMs, 2 * day)
})

test('a lifetime or message out of bounds is invalid_input and changes nothing', async () => {
  const { tenant } = await setup()
  const day = 24 * 3600 * 1000
  const count = async () => [(await tenant.audit()).length, (await tenant.outbox()).length, (await tenant.invites()).length]
  const before = await count()
  for (const options of [
    { lifetimeMs: 31 * day },
    { lifetimeMs: 59 * 1000 },
    { lifetimeMs: -day },
    { lifetimeMs: NaN },
    { message: 'x'.repeat(2001) },
    { message: 'nul \0 inside' },
  ]) {
    await rejectsWith(tenant.invite(mk.SYSTEM, 'new@client.com', options), 'invalid_input')
  }
  for (const options of [{ lifetimeMs: '7d' }, { message: 42 }, { lifetime: day }]) {
    assert.throws(() => tenant.invite(mk.SYSTEM, 'new@client.com', options), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_ARG_TYPE')
  }
  assert.deepEqual(await count(), before)
  await rejectsWith(tenant.updateSettings(mk.SYSTEM, { maxInviteLifetimeMs: 6 * day }), 'invalid_input')
  const info = await tenant.updateSettings(mk.SYSTEM, { maxInviteLifetimeMs: 60 * day })
  assert.equal(info.maxInviteLifetimeMs, 60 * day)
})

test('an invite link shows its invite in every status', async () => {
  const { hub, tenant, course, clock } = await setup()
  const issued = await tenant.invite(mk.SYSTEM, 'lin@example.com', { products: [course.id] })
  const shown = await hub.inviteByLink(issued.token)
  assert.equal(shown.tenantName, (await tenant.info()).name)
  assert.equal(shown.invite.id, issued.invite.id)
  assert.deepEqual([shown.invite.status, shown.invite.products], ['pending', [course.id]])
  clock.advance(8 * 24 * 3600 * 1000)
  assert.equal((await hub.inviteByLink(issued.token)).invite.status, 'expired')
  await rejectsWith(hub.inviteByLink('mki_123'), 'not_found')
})
