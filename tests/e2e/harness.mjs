// Shared set-up for the end-to-end tests: the sandbox, a plain static file
// server for the release build, and Debian's headless Chromium.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = process.env.E2E_DIST ?? join(repoRoot, 'dist');
const sandboxBin = process.env.E2E_SANDBOX_BIN ?? join(repoRoot, 'target/debug/ruangkerja-sandbox');

/** Starts the sandbox on a free loopback port; resolves once it listens. */
export async function startSandbox(args = []) {
  const child = spawn(sandboxBin, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  let url;
  let token;
  for await (const line of lines) {
    url ??= line.match(/listening on (\S+)/)?.[1];
    token ??= line.match(/^Access token: (\S+)/)?.[1];
    if (url && token) break;
  }
  if (!url || !token) throw new Error('the sandbox did not print its URL and token');
  const stopped = new Promise((done) => child.once('exit', done));
  return {
    url,
    token,
    async api(path, body) {
      const response = await fetch(url + path, {
        method: 'POST',
        headers: { Authorization: token, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return response.json();
    },
    /** Adds users as if they were there before (not counted as creations). */
    async seed(items) {
      const response = await fetch(`${url}/__sandbox/users`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      if (!response.ok) throw new Error(`seeding refused: ${await response.text()}`);
      return response.json();
    },
    async state() {
      return (await fetch(`${url}/__sandbox/state`)).json();
    },
    /** Replaces the sandbox's faults (see its README for the fields). */
    async faults(config) {
      const response = await fetch(`${url}/__sandbox/faults`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(config),
      });
      if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
    },
    /** A fresh token from POST /oauth/token with the sandbox's default credentials. */
    async newToken() {
      const response = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientID: 'sandbox-client', clientSecret: 'sandbox-secret', grantType: 'client_credentials' }),
      });
      return (await response.json()).data.accessToken;
    },
    async stop() {
      child.kill('SIGTERM');
      await stopped;
    },
  };
}

const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Serves `root` as plain static files, as any static host would, under
 * `prefix`. `config` (an object) is served as `config.json` when given.
 */
export async function serveStatic({ root = distDir, prefix = '/', config } = {}) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (!path.startsWith(prefix)) {
      response.writeHead(404).end();
      return;
    }
    let relative = path.slice(prefix.length) || 'index.html';
    if (relative === 'config.json' && config) {
      response.writeHead(200, { 'Content-Type': mimeTypes['.json'] }).end(JSON.stringify(config));
      return;
    }
    const file = normalize(join(root, relative));
    try {
      if (!file.startsWith(root) || !(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

/** Debian's Chromium, headless; never a downloaded browser. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Opens the app and waits until the WebAssembly module has rendered it: a
 * build that fails to instantiate leaves the page blank and fails here.
 * Page errors are collected so tests can assert there were none.
 */
export async function openApp(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // Every Content-Security-Policy violation the page reports, for tests.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(url);
  try {
    await page.getByRole('heading', { name: 'Ruangkerja employee import' }).waitFor({ timeout: 15_000 });
  } catch (cause) {
    throw new Error(`the app did not render; page errors: ${JSON.stringify(errors)}`, { cause });
  }
  return { page, errors };
}

/** Waits until the settings from config.json are in the form. */
export async function waitForBaseUrl(page, expected) {
  await page.waitForFunction(
    (value) => document.querySelector('input[name="api-base-url"]')?.value === value,
    expected,
  );
}

const axeSource = join(repoRoot, 'tests/e2e/node_modules/axe-core/axe.min.js');
export const screenshotDir = join(repoRoot, 'tests/e2e/screenshots');

/**
 * Runs axe-core on the page as it is now and fails with the violations,
 * then keeps a screenshot of the step for a person to look at.
 */
export async function checkStep(page, step) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    // Evaluated through the DevTools protocol, which the page's CSP does
    // not govern: a <script> tag would be (rightly) refused.
    await page.evaluate(await readFile(axeSource, 'utf8'));
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  await page.screenshot({ path: join(screenshotDir, `${step}.png`), fullPage: true });
  if (violations.length > 0) {
    throw new Error(`axe found violations at step "${step}":\n${JSON.stringify(violations, null, 2)}`);
  }
}

/**
 * What most test files need: a sandbox, the release build served with a
 * config.json pointing at it (plus `config`), and a browser. `stop()` ends
 * all three.
 */
export async function startSuite(config = {}) {
  const sandbox = await startSandbox();
  const site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token, ...config } });
  const browser = await launchBrowser();
  return {
    sandbox,
    site,
    browser,
    async stop() {
      await browser.close();
      await site.close();
      await sandbox.stop();
    },
  };
}

/** Sets how requests go out, under "Advanced" beside the send button, as
 * an admin would: opening it first. */
export async function setSendSettings(page, { batchSize, concurrency }) {
  const advanced = page.locator('details.send__advanced');
  if (!(await advanced.evaluate((d) => d.open))) await advanced.locator('summary').click();
  if (batchSize !== undefined) {
    await page.locator('input[name="batch-size"]').fill(String(batchSize));
    await page.locator('input[name="batch-size"]').dispatchEvent('change');
  }
  if (concurrency !== undefined) {
    await page.locator('input[name="concurrency"]').fill(String(concurrency));
    await page.locator('input[name="concurrency"]').dispatchEvent('change');
  }
}

/**
 * Once a file is open, the connection and the file's choices are folded to
 * one line each ("connection", "setup"): opens one as the admin does, by
 * its line, unless it is open already.
 */
export async function unfold(page, name) {
  const fold = page.locator(`details.fold--${name}`);
  if (!(await fold.evaluate((el) => el.open))) await fold.locator(':scope > summary').click();
  // What a fold holds is built once it opens.
  await fold.locator(':scope > :not(summary)').first().waitFor();
}
