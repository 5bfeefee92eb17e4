/**
 * Builds each bot (src/medplum/deployment.ts) into one self-contained CommonJS file in dist/ that runs in Medplum's
 * `vmcontext` sandbox and on hosted Medplum (Lambda): `exports.handler`, the library and dcmjs bundled, only what
 * @medplum/bot-layer provides left external, and the globals the sandbox lacks taken from Node's modules.
 */
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { BOTS, BOT_LAYER_MODULES } from '../src/medplum/deployment.ts';

/**
 * The vmcontext sandbox has console, fetch, require, process, TextEncoder/Decoder, URL(SearchParams) and the
 * Medplum classes, but not Buffer, timers, performance, crypto, structuredClone, atob/btoa (docs: NOTES.md of the
 * project's Medplum notes); a bundle that needs them takes them from Node's own modules.
 */
const SANDBOX_GLOBALS = `
var Buffer = globalThis.Buffer || require('node:buffer').Buffer;
var __timers = require('node:timers');
var setTimeout = globalThis.setTimeout || __timers.setTimeout;
var clearTimeout = globalThis.clearTimeout || __timers.clearTimeout;
var setInterval = globalThis.setInterval || __timers.setInterval;
var clearInterval = globalThis.clearInterval || __timers.clearInterval;
var setImmediate = globalThis.setImmediate || __timers.setImmediate;
var performance = globalThis.performance || require('node:perf_hooks').performance;
var crypto = globalThis.crypto || require('node:crypto').webcrypto;
var atob = globalThis.atob || require('node:buffer').atob;
var btoa = globalThis.btoa || require('node:buffer').btoa;
var structuredClone = globalThis.structuredClone || ((v) => require('node:v8').deserialize(require('node:v8').serialize(v)));
`;

mkdirSync('dist', { recursive: true });
for (const bot of BOTS) {
  await build({
    entryPoints: [bot.source],
    outfile: bot.dist,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    external: [...BOT_LAYER_MODULES],
    banner: { js: SANDBOX_GLOBALS },
    // Medplum reads `exports.handler`; esbuild's CJS output assigns module.exports.
    footer: { js: 'Object.assign(exports, module.exports);' },
    // conformance.ts reads generated/ only in a checkout; in a bundle import.meta.url is absent by design.
    define: { 'import.meta.url': 'undefined' },
    logLevel: 'warning',
  });
}
console.error(`bots built: ${BOTS.map((b) => b.dist).join(', ')}`);
