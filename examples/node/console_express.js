'use strict'
// An Express app with memberkit's back office mounted at /dashboard and the invitee's pages at
// /invite. The app owns sign-in (a demo "sign in as" page and a signed cookie); the console
// runs as whoever is signed in, so memberkit's permissions and rank rules decide.
//
// Run:  (cd examples/node && npm install) && node examples/node/console_express.js
// Then open http://127.0.0.1:8000/ (MEMBERKIT_DATABASE picks a database; default in memory).
const crypto = require('node:crypto')
const express = require('express')
const mk = require('memberkit')
const { backOffice, invitee } = require('memberkit/console')

const ADMIN = 'admin@academy.example'
const STAFF = { admin: ADMIN, member: 'mia@academy.example' }

/** The demo academy: found by its admin's email, or created. */
async function seed (hub) {
  const [known] = await hub.membershipsOf(ADMIN)
  if (known) return hub.tenant(known.member.tenantId)
  const academy = await hub.createTenant("Ada's Academy")
  const course = await academy.createProduct(mk.SYSTEM, 'Rust 101', 'course')
  await academy.createProduct(mk.SYSTEM, 'Async Rust', 'course')
  const bundle = await academy.createProduct(mk.SYSTEM, 'All Access', 'membership')
  await academy.includeInBundle(mk.SYSTEM, bundle.id, course.id)
  await academy.addCustomer(mk.SYSTEM, ADMIN, { name: 'Ada Admin', role: 'admin' })
  await academy.addCustomer(mk.SYSTEM, STAFF.member, { name: 'Mia Member', role: 'member' })
  await academy.addCustomer(mk.SYSTEM, 'grace@example.com', { name: 'Grace Hopper', products: [bundle.id] })
  await academy.addCustomer(mk.SYSTEM, 'linus@example.com', { name: 'Linus', products: [course.id] })
  await academy.addCustomer(mk.SYSTEM, 'nobody@example.com', { name: 'No Access Yet' })
  return academy
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

async function createApp ({ database = ':memory:', secret = crypto.randomBytes(32) } = {}) {
  const hub = await mk.Hub.open(database)
  const academy = await seed(hub)
  const sign = (value) => `${value}.${crypto.createHmac('sha256', secret).update(value).digest('hex')}`
  const cookies = (req) => Object.fromEntries((req.headers.cookie || '').split(';').map((c) => c.trim().split('=')))
  const signedIn = (req) => {
    const cookie = cookies(req).demo_session || ''
    const value = cookie.slice(0, cookie.lastIndexOf('.'))
    const same = value && cookie.length === sign(value).length && crypto.timingSafeEqual(Buffer.from(cookie), Buffer.from(sign(value)))
    return same ? value : null
  }
  const emailOf = async (req) => {
    const member = signedIn(req)
    return member ? (await academy.member(member)).email : null
  }
  const onHandoff = (req, handoff) => {
    if (handoff.kind === 'impersonation') {
      // "Log in as": the token goes into an HttpOnly cookie of the app's own, never a URL.
      return [['set-cookie', `view_as=${handoff.impersonation.token}; Path=/; HttpOnly; SameSite=Lax`], ['location', '/']]
    }
    return `/signup?${new URLSearchParams({ email: handoff.email })}`
  }

  const app = express()
  app.use('/dashboard', backOffice(hub, {
    secret, tenant: () => academy.id, actor: signedIn, onHandoff,
    loginUrl: '/login', inviteLinks: '/invite/?token=', siteUrl: '/',
  }))
  app.use('/invite', invitee(hub, { secret, signedIn: emailOf, onHandoff, siteUrl: '/' }))

  app.get('/', async (req, res) => {
    let note = ''
    const token = cookies(req).view_as
    if (token) {
      try {
        const viewing = await academy.verifyImpersonation(token)
        note = `<p>Viewing the site as ${escape((await academy.member(viewing.targetId)).email)}.</p>`
      } catch {}
    }
    res.send(`<h1>Ada's Academy</h1>${note}<p><a href="/dashboard/">Back office</a> · <a href="/login">Sign in</a></p>`)
  })
  app.get('/login', async (req, res) => {
    const buttons = []
    for (const [role, email] of Object.entries(STAFF)) {
      const member = await academy.memberByEmail(email)
      if (member) buttons.push(`<button name="member" value="${member.id}">Sign in as the ${role}</button>`)
    }
    res.send(`<h1>Sign in</h1><form method="post" action="/login">${buttons.join('')}</form>`)
  })
  app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    res.setHeader('set-cookie', `demo_session=${sign(String(req.body.member))}; Path=/; HttpOnly; SameSite=Lax`)
    res.redirect(303, '/dashboard/')
  })
  app.get('/signup', (req, res) => res.send(`<h1>Create your account</h1><p>Email: ${escape(req.query.email || '')}</p>`))
  return app
}

module.exports = { createApp }

if (require.main === module) {
  createApp({ database: process.env.MEMBERKIT_DATABASE || ':memory:' }).then((app) => {
    const port = Number(process.env.PORT || 8000)
    app.listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/`))
  })
}
