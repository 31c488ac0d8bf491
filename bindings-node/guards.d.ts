import type { IncomingMessage, ServerResponse } from 'node:http'
import { Hub, Tenant } from './index'

type Maybe<T> = T | Promise<T>
/** A value, or a function of the request giving one. */
export type FromRequest<T> = T | ((req: IncomingMessage) => Maybe<T>)

/** `(req, res, next)` middleware for Express and Connect. A denial is `next(err)` with
 * `err.status` 401 (nobody signed in) or 403 (signed in, may not). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

export interface GuardOptions {
  /** The tenant the request is for: a Tenant, its id, or a function of the request. */
  tenant: FromRequest<Tenant | string>
  /** The signed-in member's id, or `null`/`undefined` when nobody is signed in. */
  member: (req: IncomingMessage) => Maybe<string | null | undefined>
}

export interface Guard {
  /** Lets only a member with access to `product` through. */
  requireAccess(product: FromRequest<string>): Middleware
  /** Lets only a member holding the permission `name` (in `workspace`) through. */
  requirePermission(name: FromRequest<string>, workspace?: FromRequest<string>): Middleware
}

/** Route guards: `app.get('/courses/:id', guard(hub, {…}).requireAccess((req) => req.params.id), …)`. */
export declare function guard(hub: Hub, options: GuardOptions): Guard
