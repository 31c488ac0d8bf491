// What an Express or Fastify backend does with memberkit, without the framework.
// Run: node examples/node/server.js   (in an app where `npm install` put memberkit)
//
// - on sign-up:  hub.claim(email)                     -> pending invites become access
// - on purchase: tenant.addCustomer(... products)     -> access now
// - middleware:  tenant.hasAccessSync(member, course) -> next() or 403, no await per request
// - a timer:     hub.outbox() / hub.ack(ids)          -> send your own emails
'use strict'
const os = require('node:os')
const path = require('node:path')
const fs = require('node:fs')
const mk = require('memberkit')

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memberkit-'))
  const hub = await mk.Hub.open(path.join(dir, 'memberkit.db'))
  const academy = await hub.createTenant("Ada's Academy")
  const course = await academy.createProduct(mk.SYSTEM, 'Rust 101', 'course')

  // Express-style middleware: req.user is set by your session layer.
  const requireAccess = (productId) => (req, res, next) => {
    const allowed = req.user && academy.hasAccessSync(req.user.memberId, productId)
    return allowed ? next() : res.status(403)
  }
  const fakeRes = { status: (code) => code }
  const view = (memberId) => requireAccess(course.id)({ user: memberId && { memberId } }, fakeRes, () => 200)

  // The owner invites a student from the back office.
  const issued = await academy.invite(mk.SYSTEM, 'lin@example.com', { products: [course.id] })
  console.log('invite link: https://academy.example/join?token=mki_…', issued.invite.status)

  // POST /signup
  for (const accepted of await hub.claim('Lin@Example.com')) {
    console.log(`signup ${accepted.member.email}: ${accepted.granted.length} product(s) unlocked`)
    console.log('GET /courses/rust-101 ->', view(accepted.member.id))
  }

  // Stripe webhook
  const bought = await academy.addCustomer(mk.SYSTEM, 'grace@example.com', { products: [course.id], source: 'purchase' })
  console.log(`purchase by grace@example.com: ${bought.outcome}; GET ->`, view(bought.member.id))
  await academy.revoke(mk.SYSTEM, bought.member.id, course.id) // refund
  console.log('after refund GET ->', view(bought.member.id))

  try {
    await academy.accept('mki_' + '0'.repeat(64))
  } catch (err) {
    console.log(`bad link -> ${err.code}`)
  }

  // The outbox drain a setInterval would run every minute.
  const drain = async () => {
    const events = await hub.outbox(100)
    for (const e of events) {
      // Email only what is meant to be emailed; in-app notices and system events differ.
      if (e.channel === 'email') console.log(`email: ${e.kind} -> ${e.payload.email}`)
      else console.log(`${e.channel}: ${e.kind}`)
    }
    await hub.ack(events.map((e) => e.id))
  }
  const timer = setInterval(drain, 60_000)
  await drain()
  clearInterval(timer)
  console.log('ok')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
