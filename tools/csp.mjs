// Trunk post-build hook: puts a strict Content-Security-Policy meta tag into
// the release build's index.html. Trunk writes one inline loader script;
// its sha256 is allowed by hash, never by 'unsafe-inline', and WebAssembly
// needs 'wasm-unsafe-eval', never 'unsafe-eval'.
//
// connect-src cannot know the API a deployer configures at run time (in
// config.json), so it allows https and loopback here; a deployment narrows
// it to its API with a CSP header (see README, "Deploying"): browsers
// enforce both policies.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const file = join(process.env.TRUNK_STAGING_DIR, 'index.html');
let html = readFileSync(file, 'utf8');
const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const hashes = inline.map((body) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' ${hashes.join(' ')} 'wasm-unsafe-eval'`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');
html = html.replace(/<meta charset="utf-8" \/>/, (charset) => `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
if (!html.includes('Content-Security-Policy')) throw new Error('index.html has no <meta charset="utf-8" /> to put the CSP after');
writeFileSync(file, html);
