'use strict'
const mk = require('..')

const START = new Date('2026-01-05T09:00:00Z')

// Tests that run on every store: SQLite, and PostgreSQL when a server is given
// (`eval "$(scripts/postgres start)"`), each run in a schema of its own.
const postgres = process.env.MEMBERKIT_TEST_POSTGRES
const stores = ['sqlite', ...(postgres ? ['postgres'] : [])]

/** What `Hub.open` takes for `store`: in memory, or a fresh PostgreSQL schema. */
function target (store) {
  if (store === 'sqlite') return ':memory:'
  const schema = `mk_node_${require('node:crypto').randomUUID().replaceAll('-', '')}`
  return `${postgres}${postgres.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema},public`
}

async function setup () {
  const clock = new mk.ManualClock(START)
  const hub = await mk.Hub.open(':memory:', clock)
  const tenant = await hub.createTenant("Ada's Academy")
  const course = await tenant.createProduct(mk.SYSTEM, 'Rust 101', 'course')
  return { clock, hub, tenant, course }
}

async function rejectsWith (promise, code) {
  let error
  try {
    await promise
  } catch (err) {
    error = err
  }
  if (!(error instanceof Error)) throw new Error(`expected a rejection with ${code}`)
  if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`)
  return error
}

module.exports = { stores, target, mk, setup, rejectsWith, START }
