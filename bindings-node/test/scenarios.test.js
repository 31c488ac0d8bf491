'use strict'
// Runs the cross-language scenario files in ../../tests/scenarios (format: tests/README.md).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const mk = require('..')
const { stores, target } = require('./helpers')

const dir = path.join(__dirname, '..', '..', 'tests', 'scenarios')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

// Every scenario runs on every store (helpers.js: SQLite, and PostgreSQL when a server is given).

class Runner {
  constructor (store) {
    this.clock = new mk.ManualClock(new Date('2026-01-05T09:00:00Z'))
    this.hub = mk.Hub.openSync(target(store), this.clock)
    this.vars = {}
  }

  resolve (v) {
    if (typeof v === 'string' && v.startsWith('$')) {
      const [name, field] = v.slice(1).split('.')
      return field ? this.vars[name][field] : this.vars[name]
    }
    if (Array.isArray(v)) return v.map((i) => this.resolve(i))
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, i]) => [k, this.resolve(i)]))
    return v
  }

  bind (step, value) {
    if (step.as) this.vars[step.as] = value
  }

  async run (step) {
    const a = (k, d) => (k in step ? this.resolve(step[k]) : d)
    const t = 'tenant' in step ? this.hub.tenantSync(a('tenant')) : null
    const actor = a('actor', mk.SYSTEM)
    switch (step.op) {
      case 'create_tenant': {
        const secs = step.invite_lifetime_secs
        const tenant = await this.hub.createTenant(a('name'), secs ? { inviteLifetimeMs: secs * 1000 } : undefined)
        this.bind(step, tenant.id)
        return tenant.id
      }
      case 'create_product': {
        const p = await t.createProduct(actor, a('name'), a('kind'), { paid: a('paid'), metadata: a('metadata') })
        this.bind(step, p.id)
        return p.id
      }
      case 'archive_product': await t.archiveProduct(actor, a('product')); return null
      case 'add_customer': {
        const added = await t.addCustomer(actor, a('email'), {
          name: a('name'),
          externalId: a('external_id'),
          products: a('products', []),
          role: a('role', 'customer'),
          password: a('password'),
          temporaryPassword: a('temporary_password'),
          metadata: a('metadata'),
        })
        this.bind(step, { id: added.member.id, temporary_password: added.temporaryPassword })
        return added.outcome
      }
      case 'grant': {
        const later = (secs) => new Date(this.hub.now().getTime() + secs * 1000)
        const options = {}
        if ('expires_in_secs' in step) options.expiresAt = later(step.expires_in_secs)
        if ('starts_in_secs' in step) options.startsAt = later(step.starts_in_secs)
        await t.grant(actor, a('member'), a('product'), options)
        return null
      }
      case 'revoke': return (await t.revoke(actor, a('member'), a('product'))) !== null
      case 'has_access': return t.hasAccess(a('member'), a('product'))
      case 'member_status': return (await t.member(a('member'))).status
      case 'invite': {
        const options = { products: a('products', []), role: a('role', 'customer') }
        if ('lifetime_secs' in step) options.lifetimeMs = step.lifetime_secs * 1000
        if ('message' in step) options.message = a('message')
        if ('workspace' in step) options.workspace = a('workspace')
        if ('metadata' in step) options.metadata = a('metadata')
        const issued = await t.invite(actor, a('email'), options)
        this.bind(step, { id: issued.invite.id, token: issued.token, member: issued.invite.memberId })
        return issued.merged
      }
      case 'resend_invite': {
        const issued = await t.resendInvite(actor, a('invite'))
        this.bind(step, { id: issued.invite.id, token: issued.token, member: issued.invite.memberId })
        return null
      }
      case 'copy_invite_link': {
        const issued = await t.copyInviteLink(actor, a('invite'))
        this.bind(step, { id: issued.invite.id, token: issued.token, member: issued.invite.memberId })
        return null
      }
      case 'revoke_invite': await t.revokeInvite(actor, a('invite')); return null
      case 'invite_status': return (await t.getInvite(a('invite'))).status
      case 'invite_details': {
        const invite = await t.getInvite(a('invite'))
        const left = (invite.expiresAt.getTime() - this.hub.now().getTime()) / 1000
        return { status: invite.status, message: invite.message, expires_in_secs: Math.round(left) }
      }
      case 'accept': {
        const accepted = await t.accept(a('token'), a('email'))
        this.bind(step, { id: accepted.member.id })
        return null
      }
      case 'claim':
      case 'accept_suggestion': {
        const claimed = step.op === 'claim' ? await t.claim(a('email')) : await t.acceptSuggestion(a('email'))
        if (claimed === null) return null
        this.bind(step, { id: claimed.member.id })
        return { id: claimed.member.id }
      }
      case 'hub_claim': return (await this.hub.claim(a('email'))).length
      case 'decline': return (await t.decline(a('token'), a('email'))).status
      case 'decline_pending': {
        const declined = await t.declinePending(a('email'))
        return declined === null ? null : declined.status
      }
      case 'hub_invites_for': return (await this.hub.invitesFor(a('email'))).map((i) => i.tenantName).sort()
      case 'hub_memberships_of': {
        const rows = (await this.hub.membershipsOf(a('email'))).sort((x, y) => (x.tenantName < y.tenantName ? -1 : 1))
        return rows.map((m) => ({ tenant: m.tenantName, role: m.role, status: m.member.status }))
      }
      case 'advance': this.clock.advance(step.secs * 1000); return null
      case 'sweep': return (await this.hub.sweep()).events
      case 'outbox_kinds': return (await t.outbox(1000)).map((e) => e.kind)
      case 'ack_all': return t.ack((await t.outbox(1000)).map((e) => e.id))
      case 'create_workspace': {
        const w = await t.createWorkspace(actor, a('name'))
        this.bind(step, w.id)
        return w.id
      }
      case 'create_role': {
        const r = await t.createRole(actor, a('name'), a('permissions'))
        this.bind(step, r.id)
        return r.id
      }
      case 'assign_role': await t.assignRole(actor, a('member'), a('role'), a('workspace')); return null
      case 'add_to_workspace': await t.addToWorkspace(actor, a('member'), a('workspace'), a('role')); return null
      case 'can': return t.can(a('member'), a('permission'), a('workspace'))
      case 'deactivate': return (await t.deactivate(actor, a('member'))).status
      case 'reactivate': return (await t.reactivate(actor, a('member'))).status
      case 'remove_member': await t.removeMember(actor, a('member')); return null
      case 'set_password': await t.setPassword(actor, a('member'), a('password'), { mustChange: a('must_change', false) }); return null
      case 'verify_password': {
        const check = await t.verifyPassword(a('email'), a('password'))
        return check === null ? null : { member: check.member.id, must_change: check.mustChange }
      }
      case 'impersonate': {
        const issued = await t.impersonate(actor, a('target'), a('reason'), step.minutes ? { durationMs: step.minutes * 60_000 } : undefined)
        this.bind(step, { id: issued.session.id, token: issued.token })
        return null
      }
      case 'verify_impersonation': {
        const s = await t.verifyImpersonation(a('token'))
        return { actor: s.actorId, target: s.targetId }
      }
      case 'end_impersonation': await t.endImpersonation(a('token')); return null
      default: return this.runMore(step, t, actor, a)
    }
  }

  /** Lists, import, export, audit, settings, roles and workspaces. */
  async runMore (step, t, actor, a) {
    // The step's keys that are options, camelCased, as a caller would write them.
    const pick = (keys) => Object.fromEntries(keys.filter((k) => k in step).map((k) => [camel(k), a(k)]))
    const filters = pick(['search', 'status', 'product', 'no_access', 'workspace'])
    switch (step.op) {
      case 'import': {
        const text = Array.isArray(step.text) ? step.text.join('\n') : step.text
        const options = pick(['format', 'mode', 'products', 'role', 'workspace', 'dry_run', 'skip_invalid'])
        const report = await t.importCustomers(actor, text, options)
        return { applied: report.applied, outcomes: report.rows.map((r) => r.outcome) }
      }
      case 'customers': {
        const page = await t.customers({ ...filters, ...pick(['sort', 'cursor', 'limit']) })
        this.bind(step, { next: page.nextCursor })
        return { emails: page.rows.map((r) => r.member.email), more: page.nextCursor !== null }
      }
      case 'count_customers': return t.countCustomers(filters)
      case 'export_customers': return (await t.exportCustomers({ ...filters, ...pick(['sort']) })).split('\r\n').filter((l) => l)
      case 'audit_actions': {
        const query = pick(['subject', 'limit'])
        if ('by' in step) query.actor = a('by')
        return (await t.audit(query)).map((e) => e.action)
      }
      case 'update_settings': {
        const options = {}
        if ('invite_lifetime_secs' in step) options.inviteLifetimeMs = step.invite_lifetime_secs * 1000
        if ('max_impersonation_secs' in step) options.maxImpersonationMs = step.max_impersonation_secs * 1000
        if ('max_invite_lifetime_secs' in step) options.maxInviteLifetimeMs = step.max_invite_lifetime_secs * 1000
        const info = await t.updateSettings(actor, options)
        return {
          invite_lifetime_secs: info.inviteLifetimeMs / 1000,
          max_impersonation_secs: info.maxImpersonationMs / 1000,
          max_invite_lifetime_secs: info.maxInviteLifetimeMs / 1000,
        }
      }
      case 'update_role': await t.updateRole(actor, a('role'), a('name'), a('permissions')); return null
      case 'delete_role': await t.deleteRole(actor, a('role')); return null
      case 'role_names': return (await t.roles()).map((r) => r.name)
      case 'workspace_names': return (await t.workspaces()).map((w) => w.name)
      case 'workspace_members': return (await t.workspaceMembers(a('workspace'))).map((m) => ({ member: m.member.id, role: m.role }))
      case 'remove_from_workspace': return t.removeFromWorkspace(actor, a('member'), a('workspace'))
      case 'add_domain': return (await t.addDomain(actor, a('workspace'), a('domain'), pick(['enrollment', 'role']))).domain
      case 'remove_domain': return t.removeDomain(actor, a('workspace'), a('domain'))
      case 'include_in_bundle': return (await t.includeInBundle(actor, a('bundle'), a('product'))).map((p) => p.name)
      case 'remove_from_bundle': return t.removeFromBundle(actor, a('bundle'), a('product'))
      case 'access_via': return (await t.access(a('member'))).map((x) => ({ product: x.product.name, via: x.via }))
      case 'update_member_metadata': return (await t.updateMemberMetadata(actor, a('member'), a('metadata'))).metadata
      case 'update_product_metadata': return (await t.updateProductMetadata(actor, a('product'), a('metadata'))).metadata
      case 'member_metadata': return (await t.member(a('member'))).metadata
      case 'product_metadata': return (await t.product(a('product'))).metadata
      case 'invite_metadata': return (await t.getInvite(a('invite'))).metadata
      case 'set_seat_limit':
      case 'seats': {
        const where = pick(['workspace'])
        const seats = step.op === 'seats' ? await t.seats(where) : await t.setSeatLimit(actor, a('limit'), where)
        return { limit: seats.limit, taken: seats.taken, available: seats.available }
      }
      default: throw new Error(`unknown op ${step.op}`)
    }
  }
}

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

test('there are scenario files', () => assert.ok(files.length >= 6))

for (const store of stores) for (const file of files) {
  test(`scenario ${file} on ${store}`, async () => {
    const runner = new Runner(store)
    const { steps } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
    for (const [i, step] of steps.entries()) {
      const where = `${file} step ${i + 1}: ${JSON.stringify(step)}`
      if ('error' in step) {
        await assert.rejects(runner.run(step), (err) => err.code === step.error, where)
      } else {
        const value = await runner.run(step)
        if ('expect' in step) assert.deepEqual(value, runner.resolve(step.expect), where)
      }
    }
  })
}
