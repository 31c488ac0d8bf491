// An Express course site whose routes memberkit guards: a course page only for members with
// access to it, a pricing page only for those holding the `pricing` permission.
// Run: (cd examples/node && npm install) && node examples/node/guarded_express.js
'use strict'
const express = require('express')
const mk = require('memberkit')
const { guard } = require('memberkit/guards')

async function createApp (hub) {
  const academy = await hub.createTenant("Ada's Academy")
  const course = await academy.createProduct(mk.SYSTEM, 'Rust 101', 'course')
  const app = express()
  // Your session layer says who is signed in; a cookie stands in for it here.
  const memberOf = (req) => (req.headers.cookie || '').match(/(?:^|; )member=([^;]+)/)?.[1] ?? null
  const guarded = guard(hub, { tenant: academy, member: memberOf })

  app.get('/courses/:course', guarded.requireAccess((req) => req.params.course), async (req, res) => {
    res.send(`<h1>${(await academy.product(req.params.course)).name}</h1>`)
  })
  app.get('/pricing', guarded.requirePermission('pricing'), (req, res) => res.send('<h1>Pricing</h1>'))
  // Denials arrive as errors with `status` 401 or 403: render them your way.
  app.use((err, req, res, next) => res.status(err.status || 500).send(err.status ? err.message : 'error'))
  return { app, academy, course }
}

module.exports = { createApp }

if (require.main === module) {
  mk.Hub.open(':memory:').then(createApp).then(({ app, course }) => {
    app.listen(8000, '127.0.0.1', () => console.log(`http://127.0.0.1:8000/courses/${course.id}`))
  })
}
