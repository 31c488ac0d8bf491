'use strict'
// The back office's pages in a Node app: `(req, res, next)` middleware for Express and
// Connect (Fastify through @fastify/middie), and a plain `node:http` handler. You say who is
// acting from the request (your own session or login); the pages run as that member, so
// memberkit's permission and rank rules apply unchanged. Everything else (pages, form checks,
// rules) is the Rust console and core, run on the libuv pool.
const { Console, Hub } = require('./lib.js')

/** The largest body read (a pasted import list is the largest form). */
const MOST_BODY = 16 * 1024 * 1024

function consoleOf (hub, secret, options) {
  if (hub instanceof Console) return hub
  if (!(hub instanceof Hub)) throw new TypeError('the first argument must be a memberkit Hub or Console')
  if (secret === undefined) throw new TypeError('secret is required: the key that signs the console\'s forms')
  return new Console(hub, Buffer.from(secret), options)
}

/** The body, as sent: read from the stream, or rebuilt from what a body parser left. */
function readBody (req) {
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body)
  if (req.body && typeof req.body === 'object' && req.readableEnded) {
    return Promise.resolve(Buffer.from(new URLSearchParams(req.body).toString()))
  }
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > MOST_BODY) {
        reject(Object.assign(new Error('The form is too large.'), { status: 413 }))
        req.destroy()
      } else {
        chunks.push(chunk)
      }
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Where the app mounted us: Express's `baseUrl`, Connect's stripped prefix, or the root. */
function mountOf (req) {
  if (typeof req.baseUrl === 'string') return req.baseUrl
  const original = req.originalUrl
  if (typeof original === 'string' && original.length > req.url.length) {
    const [path] = original.split('?')
    const [rest] = req.url.split('?')
    if (path.endsWith(rest)) return path.slice(0, path.length - rest.length)
  }
  return ''
}

async function requestOf (req) {
  const url = new URL(req.url, 'http://localhost')
  const headers = []
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, String(one)])
  }
  return {
    method: req.method,
    mount: mountOf(req).replace(/\/+$/, ''),
    path: decodeURIComponent(url.pathname),
    query: url.search.slice(1),
    headers,
    body: await readBody(req),
  }
}

/** Sends the console's answer, after the host's `onHandoff` had its say. */
async function send (req, res, response, onHandoff) {
  let { status, headers, body, handoff, rest } = response
  if (handoff && handoff.impersonation) {
    // Readable, but out of console.log and JSON (as every memberkit secret).
    Object.defineProperty(handoff.impersonation, 'token', { enumerable: false })
  }
  if (handoff && onHandoff) {
    const answer = await onHandoff(req, handoff, res)
    const added = typeof answer === 'string' ? [['location', answer]] : Array.isArray(answer) ? answer : []
    if (added.some(([name]) => name.toLowerCase() === 'location')) {
      // Elsewhere, keeping the console's cookies (the invite link's is cleared).
      headers = headers.filter(([name]) => name.toLowerCase() === 'set-cookie')
      headers.push(...added, ['cache-control', 'no-store'])
      status = 303
      body = Buffer.alloc(0)
      rest = null
    } else {
      headers = headers.concat(added)
    }
  }
  const grouped = {}
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    grouped[key] = key in grouped ? [].concat(grouped[key], value) : value
  }
  res.writeHead(status, grouped)
  if (!rest) {
    res.end(body)
    return
  }
  // A page still being made (a long import): each chunk goes out as it comes.
  res.write(body)
  for (let chunk = await rest.next(); chunk !== null; chunk = await rest.next()) {
    res.write(chunk)
  }
  res.end()
}

function middleware (answer, onHandoff) {
  return function memberkitConsole (req, res, next) {
    answer(req)
      .then((response) => send(req, res, response, onHandoff))
      .catch((err) => {
        if (err && err.status === 413) {
          res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' })
          res.end(err.message)
        } else if (typeof next === 'function') {
          next(err)
        } else {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          res.end('The console failed.')
        }
      })
  }
}

/**
 * The back office as middleware: `app.use('/back-office', backOffice(hub, { secret, tenant,
 * actor }))`. `tenant(req)` and `actor(req)` (may be async) say who is acting; `null` when
 * nobody is signed in (`401`, or a redirect to `loginUrl`). `onHandoff(req, handoff, res)`
 * finishes what only the host can ("Log in as": keep `handoff.impersonation.token` in the
 * admin's session); it may return a URL to send the browser to, or headers to add (with a
 * `location` among them, the browser is sent there).
 */
function backOffice (hub, { secret, tenant, actor, onHandoff, ...options } = {}) {
  const pages = consoleOf(hub, secret, options)
  return middleware(async (req) => {
    const [request, t, a] = await Promise.all([requestOf(req), tenant(req), actor(req)])
    return pages.handle(request, t ?? null, a ?? null)
  }, onHandoff)
}

/**
 * The invitee's pages (the invite link's landing page, "your workspaces") as middleware,
 * mounted where your invite links point. `signedIn(req)` is the email the person is signed
 * in with, or `null`. `onHandoff` gets `kind === 'accepted'`: return the URL of your sign-up
 * or login with `handoff.email` filled in.
 */
function invitee (hub, { secret, signedIn, onHandoff, ...options } = {}) {
  const pages = consoleOf(hub, secret, options)
  return middleware(async (req) => {
    const [request, email] = await Promise.all([requestOf(req), signedIn(req)])
    return pages.invitee(request, email ?? null)
  }, onHandoff)
}

module.exports = { Console, backOffice, invitee, MOST_BODY }
