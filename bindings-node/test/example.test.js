'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

test('the Node example runs and ends well', () => {
  // The example requires 'memberkit' as an app would: resolve it to this package.
  const modules = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mk-example-')), 'node_modules')
  fs.mkdirSync(modules)
  fs.symlinkSync(path.join(__dirname, '..'), path.join(modules, 'memberkit'), 'dir')
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'node', 'server.js')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: modules },
  })
  assert.match(out, /signup lin@example.com: 1 product\(s\) unlocked/)
  assert.match(out, /after refund GET -> 403/)
  assert.match(out, /system: access.revoked/)
  assert.ok(out.trim().endsWith('ok'))
})
