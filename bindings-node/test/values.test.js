'use strict'
// Values Node users pass and log: an options parameter takes only a plain object (or nothing),
// metadata only what JSON carries, and results that carry a secret keep it out of
// console.log, util.inspect and JSON.stringify while it stays readable.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { mk, setup } = require('./helpers')

function throwsTypeError (fn, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof TypeError, `${err}`)
    assert.equal(err.code, 'ERR_INVALID_ARG_TYPE')
    assert.match(err.message, pattern)
    return true
  })
}

test('a value where an options object belongs is a TypeError naming the parameter', async () => {
  const { hub, tenant, course } = await setup()
  const before = await tenant.countCustomers()
  throwsTypeError(() => tenant.createProduct(mk.SYSTEM, 'Lounge', 'community', false),
    /The "options" argument must be a plain object\. Received type boolean \(false\)/)
  throwsTypeError(() => tenant.addCustomer(mk.SYSTEM, 'a@b.com', []), /"options".*an instance of Array/)
  throwsTypeError(() => tenant.customers(true), /The "query" argument.*type boolean \(true\)/)
  throwsTypeError(() => tenant.countCustomers(1), /"query".*type number \(1\)/)
  throwsTypeError(() => tenant.seats(1), /"options".*type number \(1\)/)
  throwsTypeError(() => tenant.grant(mk.SYSTEM, 'x', course.id, 'soon'), /"options".*type string \("soon"\)/)
  throwsTypeError(() => tenant.invite(mk.SYSTEM, 'a@b.com', new Date()), /an instance of Date/)
  throwsTypeError(() => tenant.importCustomers(mk.SYSTEM, 'email\na@b.com', 'grant'), /"options".*type string/)
  throwsTypeError(() => tenant.audit(new Map()), /"query".*an instance of Map/)
  throwsTypeError(() => hub.createTenant('T', () => {}), /"options".*function/)
  throwsTypeError(() => tenant.importCustomers(mk.SYSTEM, ['email'], {}), /./)
  assert.equal(await tenant.countCustomers(), before, 'nothing was added')
  // undefined, null, {} and Object.create(null) all mean "no options".
  for (const none of [undefined, null, {}, Object.create(null)]) {
    assert.equal((await tenant.customers(none)).rows.length, before)
  }
  const free = await tenant.createProduct(mk.SYSTEM, 'Lounge', 'community', { paid: false })
  assert.equal(free.paid, false)
})

test('metadata that JSON cannot carry is a TypeError naming its path, and nothing is stored', async () => {
  const { tenant } = await setup()
  class Plan { constructor () { this.tier = 'pro' } }
  const cyclic = { a: {} }
  cyclic.a.back = cyclic
  const refused = [
    [{ tags: new Set(['a']) }, /metadata\.tags is an instance of Set/],
    [{ plan: { start: new Date(0) } }, /metadata\.plan\.start is an instance of Date/],
    [{ seen: new Map() }, /metadata\.seen is an instance of Map/],
    [{ n: 10n }, /metadata\.n is type bigint \(10n\)/],
    [{ n: 2n ** 70n }, /metadata\.n is type bigint/],
    [{ bytes: new Uint8Array(2) }, /metadata\.bytes is an instance of Uint8Array/],
    [{ plan: new Plan() }, /metadata\.plan is an instance of Plan/],
    [{ missing: undefined }, /metadata\.missing is undefined/],
    [{ list: [1, undefined] }, /metadata\.list\[1\] is undefined/],
    [{ f: () => 1 }, /metadata\.f is function/],
    [{ x: NaN }, /metadata\.x is NaN/],
    [{ x: Infinity }, /metadata\.x is Infinity/],
    [cyclic, /metadata\.a\.back contains itself/],
    [[1, 2], /The "metadata" argument must be a plain object\. Received an instance of Array/],
  ]
  for (const [metadata, pattern] of refused) {
    throwsTypeError(() => tenant.addCustomer(mk.SYSTEM, 'm@x.com', { metadata }), pattern)
    throwsTypeError(() => tenant.invite(mk.SYSTEM, 'i@x.com', { metadata }), pattern)
    throwsTypeError(() => tenant.createProduct(mk.SYSTEM, 'P', 'course', { metadata }), pattern)
  }
  assert.equal(await tenant.countCustomers(), 0)
  assert.equal((await tenant.invites()).length, 0)
  const ok = { plan: { tier: 'pro', seats: 3, ratio: 0.5, tags: ['a', null, true] }, bare: Object.assign(Object.create(null), { k: 'v' }) }
  const added = await tenant.addCustomer(mk.SYSTEM, 'm@x.com', { metadata: ok })
  assert.deepEqual(added.member.metadata, JSON.parse(JSON.stringify(ok)))
  throwsTypeError(() => tenant.updateMemberMetadata(mk.SYSTEM, added.member.id, { when: new Date() }), /metadata\.when is an instance of Date/)
  assert.deepEqual((await tenant.member(added.member.id)).metadata, JSON.parse(JSON.stringify(ok)))
})

/** Every way a host logs a result: none may show `secret`, while `read()` still gives it. */
function assertMasked (result, secret, read) {
  assert.ok(typeof secret === 'string' && secret.length >= 8)
  assert.equal(read(result), secret)
  assert.ok(!util.inspect(result, { depth: null }).includes(secret), 'util.inspect')
  assert.ok(!JSON.stringify(result).includes(secret), 'JSON.stringify')
  assert.ok(!util.format(result).includes(secret), 'console.log (what it prints)')
  assert.ok(!util.format('%O %j', result, result).includes(secret), 'console.log with %O and %j')
  assert.ok(!JSON.stringify({ ...result }).includes(secret), 'spread')
}

test('results that carry a secret keep it out of console.log, util.inspect and JSON', async () => {
  const { tenant, course } = await setup()
  const issued = await tenant.invite(mk.SYSTEM, 'lin@x.com', { products: [course.id] })
  assertMasked(issued, issued.token, (r) => r.token)
  assert.match(util.inspect(issued), /merged/, 'the rest still shows')
  const resent = await tenant.resendInvite(mk.SYSTEM, issued.invite.id)
  assertMasked(resent, resent.token, (r) => r.token)
  const copied = await tenant.copyInviteLink(mk.SYSTEM, issued.invite.id)
  assertMasked(copied, copied.token, (r) => r.token)
  const { token } = copied
  assert.match(token, /^mki_/, 'destructuring reads it')
  const added = await tenant.addCustomer(mk.SYSTEM, 'tem@x.com', { temporaryPassword: true })
  assertMasked(added, added.temporaryPassword, (r) => r.temporaryPassword)
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'boss@x.com', { role: 'admin' })).member.id
  const session = await tenant.impersonate(admin, added.member.id, 'ticket 12')
  assertMasked(session, session.token, (r) => r.token)
  const invited = await tenant.importCustomers(mk.SYSTEM, 'email\nimp@x.com')
  assertMasked(invited, invited.rows[0].inviteToken, (r) => r.rows[0].inviteToken)
  const temp = await tenant.importCustomers(mk.SYSTEM, 'email\npw@x.com', { mode: 'temporary_password' })
  const password = temp.rows[0].temporaryPassword
  assertMasked(temp, password, (r) => r.rows[0].temporaryPassword)
  assertMasked(temp, temp.temporaryPasswordsCsv, (r) => r.temporaryPasswordsCsv)
  assert.ok(temp.temporaryPasswordsCsv.includes(password))
})
