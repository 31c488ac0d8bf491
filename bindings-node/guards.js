'use strict'
// Route guards for Express and Connect: "may the signed-in member see this product?" in one
// line. The host says who is signed in and which tenant the request is for; memberkit answers
// from the database on every request (a revoke applies at once, on the libuv pool, off the
// event loop). 401 with nobody signed in, 403 without access, `next()` otherwise.
const { Hub, Tenant } = require('./lib.js')

/** A value, or a function of the request returning one (or a promise of one). */
function valueOf (source, req) {
  return typeof source === 'function' ? source(req) : source
}

/** The status a denied request gets: HTTP's, passed to `next` as an error Express renders. */
function denied (status) {
  const message = status === 401 ? 'Sign in to see this page.' : 'You do not have access to this page.'
  return Object.assign(new Error(message), { status, statusCode: status, expose: true })
}

function guardOf (hub, options) {
  if (!(hub instanceof Hub)) throw new TypeError('the first argument must be a memberkit Hub')
  if (!options || typeof options.member !== 'function') {
    throw new TypeError('options.member is required: a function of the request giving the signed-in member id, or null')
  }
  if (options.tenant === undefined) {
    throw new TypeError('options.tenant is required: a Tenant, a tenant id, or a function of the request giving one')
  }
  const tenantOf = async (req) => {
    const found = await valueOf(options.tenant, req)
    return found instanceof Tenant ? found : hub.tenant(found)
  }
  const guard = (ask) => (req, res, next) => {
    // A callback that throws, or rejects, reaches the app's error handler as any other error.
    Promise.resolve()
      .then(() => options.member(req))
      .then(async (member) => {
        if (member === null || member === undefined) return next(denied(401))
        const tenant = await tenantOf(req)
        // A member or product that is not this tenant's (a stale session, another tenant's
        // member, a made-up URL) may not; an unknown tenant is the app's bug and passes on.
        const allowed = await ask(tenant, member, req).catch((err) => {
          if (err && err.code === 'not_found') return false
          throw err
        })
        return allowed ? next() : next(denied(403))
      })
      .catch(next)
  }
  return {
    /** Middleware that lets only a member with access to `product` through. */
    requireAccess: (product) => guard(async (tenant, member, req) =>
      tenant.hasAccess(member, await valueOf(product, req))),
    /** Middleware that lets only a member holding the permission `name` through. */
    requirePermission: (name, workspace) => guard(async (tenant, member, req) =>
      tenant.can(member, await valueOf(name, req), workspace === undefined ? undefined : await valueOf(workspace, req)))
  }
}

module.exports = { guard: guardOf }
