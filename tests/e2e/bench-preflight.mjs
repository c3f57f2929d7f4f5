// Pre-flight benchmark (prints figures, asserts nothing about speed): the
// check of every row against the sandbox with 100 ms added latency, through
// the release build, before anything is written. Two companies:
//   listing: 10,000 rows, 5,000 users already there (1,000 of them in the
//            file): listing all users is cheaper than one request per ID;
//   per ID:  300 rows, 50,000 users: one filtered request per ID is cheaper.
// Each prints the requests made, the wall time from the first request to
// the last answer, and its ratio to requests x latency / concurrency.
import { performance } from 'node:perf_hooks';
import { launchBrowser, openApp, serveStatic, startSandbox, waitForBaseUrl } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

const latencyMs = 100;
const concurrency = 3;

async function run({ name, rows, users, inFile }) {
  const sandbox = await startSandbox(['--latency-ms', String(latencyMs)]);
  const site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token, concurrency } });
  const browser = await launchBrowser();
  try {
    // Users already there: the first `inFile` of them share the file's IDs.
    for (let start = 0; start < users; start += 10_000) {
      const items = [];
      for (let i = start; i < Math.min(users, start + 10_000); i++) {
        const id = i < inFile ? `B${i}` : `X${i}`;
        items.push({ employeeID: id, name: `Existing ${i}`, email: `x${i}@example.com`, isActive: true });
      }
      await sandbox.seed(items);
    }
    const { page } = await openApp(browser, site.url);
    await waitForBaseUrl(page, sandbox.url);
    let first;
    let lastAnswer;
    page.on('request', (request) => {
      if (first === undefined && request.url().includes('/ruangkerja/users')) first = performance.now();
    });
    page.on('requestfinished', (request) => {
      if (request.url().includes('/ruangkerja/users')) lastAnswer = performance.now();
    });
    const data = [['employeeID', 'name', 'email', 'isActive']];
    for (let i = 0; i < rows; i++) data.push([`B${i}`, `Name ${i}`, `b${i}@example.com`, true]);
    await page.locator('input[type="file"]').setInputFiles(xlsxFile('bench.xlsx', data));
    const fresh = rows - Math.min(inFile, rows);
    await page.getByRole('button', { name: `Create ${fresh.toLocaleString('en')} users` }).waitFor({ timeout: 900_000 });
    const wall = (performance.now() - first) / 1000;
    const state = await sandbox.state();
    const requests = state.requests['GET /ruangkerja/users'] ?? 0;
    const ideal = (requests * latencyMs) / 1000 / concurrency;
    const counts = await page.locator('.preflight__counts').textContent();
    console.log(`${name}: ${rows.toLocaleString('en')} rows, ${users.toLocaleString('en')} users in the company, latency ${latencyMs} ms, concurrency ${concurrency}`);
    console.log(`  found: ${counts}`);
    console.log(`  last answer after ${((lastAnswer - first) / 1000).toFixed(2)} s; shown after ${wall.toFixed(2)} s`);
    console.log(`  requests: ${requests} (${((requests / rows) * 1000).toFixed(1)} per 1,000 rows); wall ${wall.toFixed(2)} s; ideal ${ideal.toFixed(2)} s; ratio ${(wall / ideal).toFixed(2)}`);
  } finally {
    await browser.close();
    await site.close();
    await sandbox.stop();
  }
}

await run({ name: 'listing', rows: 10_000, users: 5_000, inFile: 1_000 });
await run({ name: 'per ID', rows: 300, users: 50_000, inFile: 30 });
