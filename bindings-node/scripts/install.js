'use strict'
// npm's install step. A package made with `npm pack` already holds the built addon: nothing to
// do. A source checkout (`npm install /path/to/bindings-node`) builds it with cargo alone,
// because npm runs this script before it installs a linked folder's own dependencies, so the
// napi CLI may not be there yet. index.js and index.d.ts are committed and need no generator.
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const here = path.join(__dirname, '..')
const addon = path.join(here, `memberkit.${process.platform}-${process.arch}-gnu.node`)

if (fs.existsSync(addon)) process.exit(0)

const manifest = path.join(here, 'Cargo.toml')
const cargo = process.env.CARGO || 'cargo'
execFileSync(cargo, ['build', '--release', '--lib', '--manifest-path', manifest], {
  cwd: here,
  stdio: 'inherit',
})
const metadata = JSON.parse(
  execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', manifest], {
    cwd: here,
    maxBuffer: 64 * 1024 * 1024,
  }),
)
// With a `[build] target` in .cargo/config.toml the library lands under the triple's folder.
const candidates = [
  path.join(metadata.target_directory, 'x86_64-unknown-linux-gnu', 'release', 'libmemberkit_node.so'),
  path.join(metadata.target_directory, 'release', 'libmemberkit_node.so'),
].filter((p) => fs.existsSync(p))
if (candidates.length === 0) {
  console.error('memberkit: cargo built the addon but libmemberkit_node.so was not found')
  process.exit(1)
}
candidates.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
fs.copyFileSync(candidates[0], addon)
