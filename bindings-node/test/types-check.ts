// Compiled with `tsc --noEmit --strict` in CI: the generated typings describe the API, with no
// `any` leaking into user code.
import { Hub, Tenant, SYSTEM, type Member, type CustomerPage, type ImportReport } from '..'

async function typed (): Promise<void> {
  const hub: Hub = await Hub.open(':memory:')
  const t: Tenant = await hub.createTenant('T', { inviteLifetimeMs: 3600_000 })
  const p = await t.createProduct(SYSTEM, 'C', 'course')
  const added = await t.addCustomer(SYSTEM, 'a@example.com', { products: [p.id] })
  const m: Member = added.member
  const status: 'invited' | 'active' | 'deactivated' = m.status
  const created: Date = m.createdAt
  const ok: boolean = t.hasAccessSync(m.id, p.id)
  const page: CustomerPage = await t.customers({ search: 'a', sort: 'email', limit: 10 })
  const report: ImportReport = await t.importCustomers(SYSTEM, 'email\nb@example.com', { mode: 'grant', progress: (done: number, total: number) => { void (done + total) } })
  void [status, created, ok, page.rows[0]?.member.email, report.rows[0]?.outcome]
}
void typed

import { backOffice, invitee, type Middleware } from '../console'

async function mounted (): Promise<void> {
  const hub = await Hub.open(':memory:')
  const pages: Middleware = backOffice(hub, {
    secret: 'x'.repeat(32),
    tenant: () => 'tenant-id',
    actor: async () => null,
    loginUrl: '/login',
    onHandoff: (_req, handoff) => (handoff.kind === 'impersonation' ? undefined : `/signup?email=${handoff.email ?? ''}`),
  })
  const invites: Middleware = invitee(hub, { secret: 'x'.repeat(32), signedIn: () => undefined })
  void [pages, invites]
}
void mounted

import { guard, type Guard } from '../guards'

async function guarded (): Promise<void> {
  const hub = await Hub.open(':memory:')
  const t = await hub.createTenant('T')
  const g: Guard = guard(hub, { tenant: t, member: (req) => req.headers['x-member'] as string | undefined ?? null })
  const byId: Guard = guard(hub, { tenant: async () => t.id, member: async () => null })
  const course = g.requireAccess((req) => req.url ?? '')
  const pricing = byId.requirePermission('pricing')
  void [course, pricing]
}
void guarded
