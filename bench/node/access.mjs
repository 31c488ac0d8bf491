// memberkit's hasAccessSync and `await hasAccess` beside the same check written with
// better-sqlite3 on the same file (the same SQL and rule), interleaved every 500 calls.
// Run by `cargo bench -p memberkit-bench`: node access.mjs DB SAMPLES REPS
import { Hub } from 'memberkit'
import Database from 'better-sqlite3'

// better-sqlite3 binds named parameters, not ?N: the statement is otherwise the same.
const ACCESS_SQL = `SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m INDEXED BY members_access
     JOIN products p INDEXED BY products_access ON p.tenant_id = m.tenant_id AND p.id = :p
     LEFT JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = m.tenant_id
          AND g.member_id = m.id AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = :t AND m.id = :m
     UNION ALL
     SELECT 1, NULL, NULL, NULL, 1, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = b.tenant_id
          AND g.member_id = :m AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = :t AND b.product_id = :p`

const [db, samplesArg, repsArg] = process.argv.slice(2)
const samples = Number(samplesArg)
const reps = Number(repsArg)
const hand = new Database(db, { readonly: true })
const stmt = hand.prepare(ACCESS_SQL).raw(true)
const tenantId = hand.prepare('SELECT id FROM tenants ORDER BY created_at, id LIMIT 1').pluck().get()
const ids = (table) => hand.prepare(`SELECT id FROM ${table} WHERE tenant_id = ?`).pluck().all(tenantId)
const members = ids('members')
const products = ids('products')
const uuid = (b) => {
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
const hub = Hub.openSync(db)
const tenant = hub.tenantSync(uuid(tenantId))

function byHand (m, p) {
  const now = Date.now() * 1000
  let facts = null
  let granted = false
  for (const [kind, status, paid, archived, hasGrant, expires, starts] of stmt.iterate({ t: tenantId, m, p })) {
    granted ||= hasGrant === 1 && (expires === null || now < expires) && (starts === null || starts <= now)
    if (kind === 0) facts = [status, paid, archived]
  }
  if (!facts || facts[0] !== 'active') return false
  if (!facts[1]) return !facts[2]
  return granted
}

let seed = 7
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
}
const inputs = (n) => Array.from({ length: n }, () => {
  const m = members[rand(members.length)]
  const p = products[rand(products.length)]
  return [m, p, uuid(m), uuid(p)]
})

for (const [m, p, ms, ps] of inputs(2000)) {
  if (tenant.hasAccessSync(ms, ps) !== byHand(m, p)) throw new Error(`disagree on ${ms} ${ps}`)
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]
const contenders = {
  hasAccessSync: ([, , ms, ps]) => tenant.hasAccessSync(ms, ps),
  'better-sqlite3': ([m, p]) => byHand(m, p),
  'await hasAccess': async ([, , ms, ps]) => await tenant.hasAccess(ms, ps),
}
const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
for (let rep = 0; rep < reps; rep++) {
  const all = inputs(samples)
  const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  const names = Object.keys(contenders)
  for (let start = 0, turn = 0; start < all.length; start += 500, turn++) {
    const chunk = all.slice(start, start + 500)
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + turn) % names.length]
      const call = contenders[name]
      for (const x of chunk) {
        const t0 = process.hrtime.bigint()
        const r = call(x)
        if (r instanceof Promise) await r
        times[name].push(Number(process.hrtime.bigint() - t0) / 1000)
      }
    }
  }
  for (const [name, t] of Object.entries(times)) {
    t.sort((a, b) => a - b)
    runs[name].push([pct(t, 0.5), pct(t, 0.99)])
  }
}
const stat = (name, i) => median(runs[name].map((r) => r[i]))
for (const [label, i] of [['p50', 0], ['p99', 1]]) {
  const sync = stat('hasAccessSync', i)
  const hand = stat('better-sqlite3', i)
  const promise = stat('await hasAccess', i)
  console.log(
    `node has_access ${label}: hasAccessSync ${sync.toFixed(1)} µs | better-sqlite3 ${hand.toFixed(1)} µs ` +
    `(${(sync / hand).toFixed(2)}x) | await hasAccess ${promise.toFixed(1)} µs (${(promise / sync).toFixed(2)}x hasAccessSync)`,
  )
}
