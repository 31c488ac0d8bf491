'use strict'
// The package entry: the generated loader (index.js) plus one conversion: napi reports a
// JavaScript value of the wrong type as a plain Error with a napi status code; Node's own APIs
// throw TypeError with code ERR_INVALID_ARG_TYPE, so memberkit does too. memberkit's own errors
// (err.code = 'not_found', 'permission_denied', ...) pass through untouched.
const native = loadAddon()

/** The generated loader, or an error naming this platform and the ones packages exist for. */
function loadAddon () {
  try {
    return require('./index.js')
  } catch (err) {
    const targets = require('./package.json').napi.targets.join(', ')
    const here = `${process.platform}-${process.arch}`
    throw new Error(
      `memberkit: no prebuilt addon loads on this platform (${here}); packages exist for ` +
      `${targets}. Install memberkit on one of those, or build it from source with cargo: ` +
      `npm install /path/to/memberkit/bindings-node. (${err.message.split('\n')[0]})`,
      { cause: err },
    )
  }
}

const CONVERSION_FAILURES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected',
  'ArrayBufferExpected',
])

function asTypeError (err) {
  if (err && CONVERSION_FAILURES.has(err.code)) {
    const typeError = new TypeError(err.message)
    typeError.code = 'ERR_INVALID_ARG_TYPE'
    return typeError
  }
  return err
}

function guard (fn) {
  return function (...args) {
    try {
      return fn.apply(this, args)
    } catch (err) {
      throw asTypeError(err)
    }
  }
}

function guardAll (target) {
  for (const name of Object.getOwnPropertyNames(target)) {
    const desc = Object.getOwnPropertyDescriptor(target, name)
    if (name !== 'constructor' && desc && typeof desc.value === 'function' && desc.writable) {
      Object.defineProperty(target, name, { ...desc, value: guard(desc.value) })
    }
  }
}

for (const cls of [native.Hub, native.Tenant, native.ManualClock, native.Console, native.ConsoleRest]) {
  guardAll(cls)
  guardAll(cls.prototype)
}

// ImportReport.count(outcome), as in Python: a method on the plain report object, left out of
// JSON and object spread.
function count (outcome) {
  return this.rows.filter((r) => r.outcome === outcome).length
}
const importCustomers = native.Tenant.prototype.importCustomers
Object.defineProperty(native.Tenant.prototype, 'importCustomers', {
  value: function (...args) {
    // Bad arguments still throw synchronously, as in every other method.
    return importCustomers.apply(this, args).then((report) => {
      Object.defineProperty(report, 'count', { value: count })
      return report
    })
  },
  writable: true,
  configurable: true,
})

/** The stable error codes, in the core's order. */
const ERROR_CODES = Object.freeze(native.errorCodes())
/** The built-in permission catalogue. */
const PERMISSIONS = Object.freeze(native.permissions())

// Constructors are not methods: a bad `new Console(…)` argument becomes a TypeError here.
class Console extends native.Console {
  constructor (...args) {
    try {
      super(...args)
    } catch (err) {
      throw asTypeError(err)
    }
  }
}

module.exports = {
  ...native,
  Console,
  ERROR_CODES,
  PERMISSIONS,
}
