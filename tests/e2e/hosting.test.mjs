// Hosting as plain static files: from a sub-path, under the strict CSP of
// index.html, with settings from config.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, launchBrowser, openApp, serveStatic, startSandbox, waitForBaseUrl, unfold } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

let sandbox;
let site;
let browser;

before(async () => {
  sandbox = await startSandbox();
  site = await serveStatic({
    prefix: '/tools/karyawan/',
    config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await sandbox?.stop();
});

test('served from a sub-path under its CSP, the whole flow works with zero CSP violations', async () => {
  assert.match(site.url, /\/tools\/karyawan\/$/);
  const { page, errors } = await openApp(browser, site.url);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'sha256-[^']+' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile('sub.xlsx', [['employeeID', 'name', 'email', 'isActive'], ['H1', 'Hana', 'h1@example.com', true]]),
  );
  await page.getByRole('button', { name: 'Create 1 user' }).click();
  await page.getByRole('status').filter({ hasText: 'sub.xlsx: 1 created.' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download results', exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'sub-results.xlsx');
  await checkStep(page, '7-sub-path');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('config.json sets the API, send settings and language without a rebuild', async () => {
  const configured = await serveStatic({
    config: {
      apiBaseUrl: sandbox.url,
      accessToken: sandbox.token,
      batchSize: 7,
      concurrency: 2,
      language: 'id',
      tokenHelpUrl: 'https://intranet.example.co.id/token',
    },
  });
  try {
    const page = await browser.newPage();
    await page.goto(configured.url);
    await page.getByRole('heading', { name: 'Impor karyawan Ruangkerja' }).waitFor();
    await waitForBaseUrl(page, sandbox.url);
    assert.equal(await page.locator('select[name="api-target"]').inputValue(), '', 'a custom URL');
    // The deployer's page on getting a token, beside the token field.
    const help = page.getByRole('link', { name: 'Cara mendapatkan token' });
    assert.equal(await help.getAttribute('href'), 'https://intranet.example.co.id/token');
    await page.locator('input[type="file"]').setInputFiles(
      xlsxFile('cfg.xlsx', [['NIK', 'Nama', 'Surel', 'Aktif'], ['C1', 'Cici', 'c1@example.com', 'ya']]),
    );
    assert.equal(await page.locator('input[name="batch-size"]').inputValue(), '7');
    assert.equal(await page.locator('input[name="concurrency"]').inputValue(), '2');
    // Choosing a preset fills the URL.
    await unfold(page, 'connection');
    await page.locator('details.connection__advanced summary').click();
    await page.locator('select[name="api-target"]').selectOption('https://api.ruangkerja.id');
    assert.equal(await page.locator('input[name="api-base-url"]').inputValue(), 'https://api.ruangkerja.id');
    await page.close();
  } finally {
    await configured.close();
  }
});
