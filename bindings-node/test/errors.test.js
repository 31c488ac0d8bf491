'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { mk, setup } = require('./helpers')

test('every error code is raised by a real call as an Error with that code', async () => {
  const { tenant, course, clock } = await setup()
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  const customer = (await tenant.addCustomer(mk.SYSTEM, 'c@x.com')).member.id
  const used = await tenant.invite(mk.SYSTEM, 'u@x.com')
  await tenant.accept(used.token)
  const revoked = await tenant.invite(mk.SYSTEM, 'r@x.com')
  await tenant.revokeInvite(mk.SYSTEM, revoked.invite.id)
  const expired = await tenant.invite(mk.SYSTEM, 'e@x.com')
  const session = await tenant.impersonate(admin, customer, 'why', { durationMs: 60_000 })
  clock.advance(8 * 24 * 3600 * 1000)
  const deactivated = (await tenant.addCustomer(mk.SYSTEM, 'd@x.com')).member.id
  await tenant.deactivate(mk.SYSTEM, deactivated)
  const garbage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mk-')), 'bad.db')
  fs.writeFileSync(garbage, Buffer.alloc(4096, 'x'))
  const mismatch = await tenant.invite(mk.SYSTEM, 'm@x.com')
  const full = await (await mk.Hub.open(':memory:')).createTenant('Full')
  await full.addCustomer(mk.SYSTEM, 'only@x.com')
  await full.setSeatLimit(mk.SYSTEM, 1)

  const cases = {
    not_found: () => tenant.member('01a201ea-6388-7318-a9c7-d48f998f2b23'),
    permission_denied: () => tenant.grant(customer, customer, course.id),
    invalid_input: () => tenant.addCustomer(mk.SYSTEM, 'nope'),
    conflict: () => tenant.invite(mk.SYSTEM, 'c@x.com'),
    invite_expired: () => tenant.accept(expired.token),
    invite_revoked: () => tenant.accept(revoked.token),
    invite_used: () => tenant.accept(used.token),
    invite_email_mismatch: () => tenant.accept(mismatch.token, 'z@x.com'),
    member_deactivated: () => tenant.grant(mk.SYSTEM, deactivated, course.id),
    impersonation_ended: () => tenant.verifyImpersonation(session.token),
    seat_limit: () => full.invite(mk.SYSTEM, 'next@x.com'),
    storage: () => mk.Hub.open(garbage),
  }
  assert.deepEqual(Object.keys(cases).sort(), [...mk.ERROR_CODES].sort())
  for (const [code, call] of Object.entries(cases)) {
    await assert.rejects(call(), (err) => {
      assert.ok(err instanceof Error, code)
      assert.equal(err.code, code)
      assert.ok(err.message.length > 0)
      return true
    })
  }
  assert.throws(() => mk.Hub.openSync(garbage), (err) => err instanceof Error && err.code === 'storage')
})

test('open takes a path or a URL, and an unknown store is invalid_input', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mk-')), 'hub.db')
  const id = (await (await mk.Hub.open(file)).createTenant('T')).id
  const again = await mk.Hub.open(`sqlite://${file}`)
  assert.equal((await again.tenant(id)).id, id)
  await assert.rejects(mk.Hub.open('mysql://localhost/db'), (err) => err.code === 'invalid_input')
  assert.throws(() => mk.Hub.openSync('mysql://localhost/db'), (err) => err.code === 'invalid_input')
})

test('a postgres URL without a server is a storage error that hides the password', async () => {
  // Port 1 on loopback: nothing listens, so this fails at once.
  const url = 'postgresql://app:s3cret@127.0.0.1:1/members'
  const check = (err) => {
    assert.equal(err.code, 'storage')
    assert.match(err.message, /127\.0\.0\.1:1\/members/)
    assert.doesNotMatch(`${err.message} ${err.stack}`, /s3cret/)
    return true
  }
  await assert.rejects(mk.Hub.open(url), check)
  assert.throws(() => mk.Hub.openSync(url), check)
})
