'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { mk, setup, rejectsWith } = require('./helpers')

const CSV = '\ufeffFull Name,E-Mail,External ID\r\n"Lovelace, Ada",ada@example.com,crm-1\r\nZoë Müller,zoe@exämple.de,\r\n'

test('customer list: search, filters, cursor pages', async () => {
  const { tenant, course } = await setup()
  await tenant.addCustomer(mk.SYSTEM, 'zoe@example.com', { name: 'ZOË Müller', products: [course.id] })
  await tenant.addCustomer(mk.SYSTEM, 'ada@example.com', { name: 'Ada' })
  await tenant.invite(mk.SYSTEM, 'new@example.com')
  const page = await tenant.customers({ search: 'müll' })
  assert.deepEqual(page.rows.map((r) => r.member.email), ['zoe@example.com'])
  assert.equal(page.rows[0].products[0].name, 'Rust 101')
  assert.equal(await tenant.countCustomers({ noAccess: true }), 2)
  assert.equal(await tenant.countCustomers({ status: 'invited' }), 1)
  const first = await tenant.customers({ sort: 'email', limit: 2 })
  const rest = await tenant.customers({ sort: 'email', limit: 2, cursor: first.nextCursor })
  assert.deepEqual([...first.rows, ...rest.rows].map((r) => r.member.email), ['ada@example.com', 'new@example.com', 'zoe@example.com'])
  await rejectsWith(tenant.customers({ limit: 501 }), 'invalid_input')
})

test('import from a string, a Buffer and a file; dry run; progress; export', async () => {
  const { tenant, course } = await setup()
  const dry = await tenant.importCustomers(mk.SYSTEM, CSV, { products: [course.id], dryRun: true })
  assert.equal(dry.applied, false)
  assert.equal(await tenant.countCustomers(), 0)
  const real = await tenant.importCustomers(mk.SYSTEM, Buffer.from(CSV), { products: [course.id], mode: 'grant' })
  assert.deepEqual(real.rows.map((r) => [r.line, r.outcome]), [[2, 'created'], [3, 'created']])
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mk-')), 'list.csv')
  fs.writeFileSync(file, CSV)
  const again = await tenant.importCustomers(mk.SYSTEM, { path: file }, { products: [course.id], mode: 'grant' })
  assert.deepEqual(again.rows.map((r) => r.outcome), ['existing', 'existing'])
  const pasted = await tenant.importCustomers(mk.SYSTEM, 'Lin, lin@example.com\nbad\n', { format: 'pasted', skipInvalid: true })
  assert.deepEqual(pasted.rows.map((r) => r.outcome), ['created', 'invalid'])
  assert.match(pasted.rows[0].inviteToken, /^mki_/)
  await rejectsWith(tenant.importCustomers(mk.SYSTEM, 'name,phone\nA,1\n'), 'invalid_input')
  await rejectsWith(tenant.importCustomers(mk.SYSTEM, { path: '/no/such/file.csv' }), 'invalid_input')
  const calls = []
  const rows = 'email\n' + Array.from({ length: 1500 }, (_, i) => `p${i}@example.com`).join('\n')
  const atomic = await tenant.importCustomers(mk.SYSTEM, rows, { mode: 'grant', atomic: true, progress: (done, total) => calls.push([done, total]) })
  assert.equal(atomic.written, 1500)
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(calls, [[1000, 1500], [1500, 1500]])
  const temp = await tenant.importCustomers(mk.SYSTEM, 'Tem, tem@example.com', { format: 'pasted', mode: 'temporary_password' })
  const pw = temp.rows[0].temporaryPassword
  assert.ok(temp.temporaryPasswordsCsv.includes(pw))
  assert.equal((await tenant.verifyPassword('tem@example.com', pw)).mustChange, true)
  await tenant.addCustomer(mk.SYSTEM, 'f@example.com', { name: '=cmd()' })
  const csv = await tenant.exportCustomers({ sort: 'email' })
  assert.ok(csv.startsWith('name,email,external_id,status,products,created_at,metadata\r\n'))
  assert.ok(csv.includes("'=cmd()"))
})

test('the event loop stays responsive during a large import', async () => {
  const { tenant } = await setup()
  const rows = 'email\n' + Array.from({ length: 30000 }, (_, i) => `u${i}@example.com`).join('\n')
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const report = await tenant.importCustomers(mk.SYSTEM, rows, { mode: 'grant', notify: false })
  clearInterval(timer)
  assert.equal(report.rows.length, 30000)
  assert.ok(ticks > 5, `timer ticked ${ticks} times while importing`)
})

test('a chunked import (the default): progress between chunks; a throw keeps whole chunks; the same file finishes it', async () => {
  const { tenant, course } = await setup()
  const csv = 'email\n' + Array.from({ length: 5000 }, (_, i) => `c${i}@example.com`).join('\n')
  const calls = []
  const report = await tenant.importCustomers(mk.SYSTEM, csv, {
    mode: 'grant',
    products: [course.id],
    progress: (done, total) => calls.push([done, total]),
  })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(report.applied, true)
  assert.equal(report.written, 5000)
  assert.ok(calls.length >= 2, JSON.stringify(calls))
  assert.deepEqual(calls.at(-1), [5000, 5000])
  assert.ok(calls.every((c, i) => i === 0 || c[0] > calls[i - 1][0]))
  // A throw stops the run at the next chunk: the chunks before stay, whole.
  const { tenant: t2, course: c2 } = await setup()
  const boom = new Error('boom')
  await assert.rejects(
    t2.importCustomers(mk.SYSTEM, csv, { mode: 'grant', products: [c2.id], progress: () => { throw boom } }),
    (err) => err === boom,
  )
  const kept = await t2.countCustomers()
  assert.ok(kept > 0 && kept < 5000, `${kept}`)
  assert.equal(await t2.countCustomers({ product: c2.id }), kept)
  const rerun = await t2.importCustomers(mk.SYSTEM, csv, { mode: 'grant', products: [c2.id] })
  assert.equal(rerun.count('existing'), kept)
  assert.equal(rerun.count('created'), 5000 - kept)
  // Temporary passwords are always one transaction.
  await rejectsWith(t2.importCustomers(mk.SYSTEM, 'email\nz@x.com', { mode: 'temporary_password', atomic: false }), 'invalid_input')
})

test('a bundle holder\'s row lists what the bundle gives, as access() does; audit entries name the actor as calls take it', async () => {
  const { tenant, course } = await setup()
  const bundle = await tenant.createProduct(mk.SYSTEM, 'All Access', 'membership')
  await tenant.includeInBundle(mk.SYSTEM, bundle.id, course.id)
  const admin = (await tenant.addCustomer(mk.SYSTEM, 'admin@x.com', { role: 'admin' })).member
  const ada = (await tenant.addCustomer(mk.SYSTEM, 'ada@x.com')).member
  await tenant.grant(admin.id, ada.id, bundle.id)
  const page = await tenant.customers({ product: course.id })
  assert.deepEqual(page.rows.map((r) => r.member.email), ['ada@x.com'])
  assert.deepEqual(page.rows[0].products.map((p) => [p.name, p.via]), [['Rust 101', bundle.id], ['All Access', null]])
  const viaAccess = (await tenant.access(ada.id)).filter((a) => a.product.paid).map((a) => [a.product.name, a.via])
  assert.deepEqual(viaAccess, page.rows[0].products.map((p) => [p.name, p.via]))
  assert.ok((await tenant.exportCustomers({ product: course.id })).includes('Rust 101 (via All Access); All Access'))
  const [entry] = await tenant.audit({ actor: admin.id, limit: 1 })
  assert.equal(entry.actor, admin.id)
  assert.equal((await tenant.audit({ actor: entry.actor })).length, 1)
  const [system] = await tenant.audit({ actor: mk.SYSTEM, limit: 1 })
  assert.equal(system.actor, mk.SYSTEM)
})
