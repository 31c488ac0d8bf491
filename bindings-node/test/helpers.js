'use strict'
const mk = require('..')

const START = new Date('2026-01-05T09:00:00Z')

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

module.exports = { mk, setup, rejectsWith, START }
