'use strict'
// Strict arguments (unknown option keys and bad integers are TypeErrors), options objects,
// milliseconds, parity with Python, and a progress callback that throws.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { mk, setup, rejectsWith } = require('./helpers')

function throwsTypeError (fn, pattern) {
  assert.throws(fn, (err) => err instanceof TypeError && err.code === 'ERR_INVALID_ARG_TYPE' && pattern.test(err.message))
}

test('unknown option keys are TypeErrors that name the key', async () => {
  const { tenant } = await setup()
  throwsTypeError(() => tenant.customers({ no_access: true }), /`no_access` \(did you mean `noAccess`\?\)/)
  throwsTypeError(() => tenant.addCustomer(mk.SYSTEM, 'a@x.com', { externalID: 'x' }), /`externalID`.*`externalId`/)
  throwsTypeError(() => tenant.importCustomers(mk.SYSTEM, 'email\na@x.com', { dry_run: true }), /`dry_run`/)
  throwsTypeError(() => tenant.createProduct(mk.SYSTEM, 'P', 'course', { free: true }), /`free`/)
  throwsTypeError(() => tenant.impersonate(mk.SYSTEM, 'x', 'why', { durationSeconds: 60 }), /`durationSeconds`/)
  assert.equal(await tenant.countCustomers(), 0, 'nothing was added')
})

test('counts must be non-negative integers', async () => {
  const { hub, tenant } = await setup()
  for (const bad of [1.5, -1, NaN, Infinity]) {
    throwsTypeError(() => tenant.outbox(bad), /non-negative integer/)
    throwsTypeError(() => tenant.customers({ limit: bad }), /non-negative integer/)
    throwsTypeError(() => tenant.audit({ limit: bad }), /non-negative integer/)
  }
  throwsTypeError(() => hub.outbox('10'), /./)
  await rejectsWith(tenant.outbox(0), 'invalid_input')
  await rejectsWith(tenant.customers({ limit: 1e12 }), 'invalid_input')
})

test('every options key in index.d.ts is accepted, and no other', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const declared = {}
  for (const [, name, body] of dts.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const keys = [...body.matchAll(/^ {2}(\w+)\??[:(]/gm)].map((m) => m[1])
    declared[name] = [...(declared[name] ?? []), ...keys]
  }
  const accepted = require('../index.js').__optionKeys()
  assert.ok(Object.keys(accepted).length >= 10)
  for (const [name, keys] of Object.entries(accepted)) {
    assert.deepEqual([...keys].sort(), [...declared[name]].sort(), name)
  }
})

test('options objects and milliseconds', async () => {
  const { hub, tenant, clock } = await setup()
  const free = await tenant.createProduct(mk.SYSTEM, 'Lounge', 'community', { paid: false })
  assert.equal(free.paid, false)
  const t = await hub.createTenant('Short', { inviteLifetimeMs: 60_000 })
  assert.equal((await t.info()).inviteLifetimeMs, 60_000)
  const issued = await t.invite(mk.SYSTEM, 'a@x.com')
  clock.advance(60_000)
  await rejectsWith(t.accept(issued.token), 'invite_expired')
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member.id
  const c = (await tenant.addCustomer(mk.SYSTEM, 'c@x.com')).member.id
  const session = await tenant.impersonate(admin, c, 'ticket', { durationMs: 120_000 })
  assert.equal(session.session.endsAt - session.session.startedAt, 120_000)
  await tenant.setPassword(mk.SYSTEM, c, 'correct horse battery', { mustChange: true })
  assert.equal((await tenant.verifyPassword('c@x.com', 'correct horse battery')).mustChange, true)
  throwsTypeError(() => clock.advance('soon'), /./)
})

test('parity with Python: workspace(id), ImportReport.count, ERROR_CODES, PERMISSIONS', async () => {
  const { tenant } = await setup()
  const ws = await tenant.createWorkspace(mk.SYSTEM, 'Acme')
  assert.equal((await tenant.workspace(ws.id)).name, 'Acme')
  await rejectsWith(tenant.workspace('01a201ea-6388-7318-a9c7-d48f998f2b23'), 'not_found')
  const report = await tenant.importCustomers(mk.SYSTEM, 'email\na@x.com\na@x.com\nnope', { skipInvalid: true })
  assert.deepEqual(['created', 'duplicate_in_file', 'invalid'].map((o) => report.count(o)), [1, 1, 1])
  assert.equal(JSON.parse(JSON.stringify(report)).count, undefined, 'count stays out of JSON')
  assert.ok(mk.ERROR_CODES.includes('not_found') && Object.isFrozen(mk.ERROR_CODES))
  assert.ok(mk.PERMISSIONS.includes('users.manage'))
})

test('a progress callback that throws stops an atomic import and the promise rejects with it', async () => {
  const { tenant } = await setup()
  const csv = 'email\n' + Array.from({ length: 5000 }, (_, i) => `p${i}@x.com`).join('\n')
  const boom = new Error('boom')
  const seen = []
  await assert.rejects(
    tenant.importCustomers(mk.SYSTEM, csv, {
      progress: (done) => {
        seen.push(done)
        if (done === 1000) throw boom
      },
      atomic: true,
    }),
    (err) => err === boom,
  )
  assert.equal(await tenant.countCustomers(), 0, 'rolled back')
  assert.equal((await tenant.outbox(1000)).length, 0)
  throwsTypeError(() => tenant.importCustomers(mk.SYSTEM, csv, { progress: 5 }), /./)
})
