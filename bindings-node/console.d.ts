import type { IncomingMessage, ServerResponse } from 'node:http'
import { Console, Handoff, Hub, ConsoleOptions } from './index'

export { Console }

/** What the host does with a handoff: a URL to send the browser to, headers to add, or nothing. */
export type OnHandoff = (
  req: IncomingMessage,
  handoff: Handoff,
  res: ServerResponse,
) => string | Array<[string, string]> | void | Promise<string | Array<[string, string]> | void>

/** `(req, res, next)` middleware for Express and Connect, or a `node:http` handler. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void

type Maybe<T> = T | null | undefined | Promise<T | null | undefined>

export interface BackOfficeOptions extends ConsoleOptions {
  /** Signs the console's forms: the same in every process, 32 random bytes or more. */
  secret?: string | Buffer
  /** The tenant the acting member works in. */
  tenant: (req: IncomingMessage) => Maybe<string>
  /** The acting member's id (or `SYSTEM`); `null` when nobody is signed in. */
  actor: (req: IncomingMessage) => Maybe<string>
  onHandoff?: OnHandoff
}

export interface InviteeOptions extends ConsoleOptions {
  secret?: string | Buffer
  /** The email the person is signed in with, or `null`. */
  signedIn: (req: IncomingMessage) => Maybe<string>
  onHandoff?: OnHandoff
}

/** The back office as middleware: `app.use('/back-office', backOffice(hub, { … }))`. */
export declare function backOffice(hub: Hub | Console, options: BackOfficeOptions): Middleware
/** The invitee's pages as middleware, mounted where invite links point. */
export declare function invitee(hub: Hub | Console, options: InviteeOptions): Middleware
/** The largest body read, in bytes. */
export declare const MOST_BODY: number
