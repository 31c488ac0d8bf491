// ES module entry: the same objects as the CommonJS entry.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const memberkit = require('./lib.js')

export const {
  Hub, Tenant, ManualClock, Console, SYSTEM, ERROR_CODES, PERMISSIONS, errorCodes, permissions,
} = memberkit
export default memberkit
