'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')

test('the Node example runs and ends well', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'node', 'server.js')], { encoding: 'utf8' })
  assert.match(out, /signup lin@example.com: 1 product\(s\) unlocked/)
  assert.match(out, /after refund GET -> 403/)
  assert.ok(out.trim().endsWith('ok'))
})
