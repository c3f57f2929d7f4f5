// Sending benchmark (prints figures, asserts nothing about speed): 10,000
// rows through the release build to the sandbox with 100 ms added latency,
// in batches of 100 with 3 at once; the wall time next to the ideal
// (batches x latency / concurrency).
import { performance } from 'node:perf_hooks';
import { launchBrowser, openApp, serveStatic, startSandbox, waitForBaseUrl } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

const rows = Number(process.env.ROWS ?? 10_000);
const latencyMs = 100;
const batchSize = 100;
const concurrency = 3;
const sandbox = await startSandbox(['--latency-ms', String(latencyMs)]);
const site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token } });
const browser = await launchBrowser();
try {
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  const data = [['employeeID', 'name', 'email', 'isActive']];
  for (let i = 0; i < rows; i++) data.push([`B${i}`, `Name ${i}`, `b${i}@example.com`, true]);
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('bench.xlsx', data));
  await page.locator('input[name="batch-size"]').fill(String(batchSize));
  await page.locator('input[name="batch-size"]').dispatchEvent('change');
  await page.locator('input[name="concurrency"]').fill(String(concurrency));
  await page.locator('input[name="concurrency"]').dispatchEvent('change');
  const label = `Create ${rows.toLocaleString('en')} users`;
  const start = performance.now();
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('status').filter({ hasText: `${rows.toLocaleString('en')} created.` }).waitFor({ timeout: 600_000 });
  const wall = (performance.now() - start) / 1000;
  const batches = Math.ceil(rows / batchSize);
  const ideal = (batches * latencyMs) / 1000 / concurrency;
  const state = await sandbox.state();
  const once = Object.values(state.creations).filter((n) => n === 1).length;
  console.log(`rows: ${rows}, batches: ${batches} of ${batchSize}, concurrency ${concurrency}, latency ${latencyMs} ms`);
  console.log(`wall time: ${wall.toFixed(2)} s; ideal: ${ideal.toFixed(2)} s; ratio: ${(wall / ideal).toFixed(2)}`);
  console.log(`users created exactly once: ${once} of ${rows}`);
} finally {
  await browser.close();
  await site.close();
  await sandbox.stop();
}
