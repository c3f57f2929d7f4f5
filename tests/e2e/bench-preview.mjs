// Browser benchmark (prints figures, asserts nothing about speed): loads a
// 100,000-row workbook through the real file input of the release build and
// reports the time to the first preview and how many rows are in the DOM,
// also after scrolling to the middle and the end.
import { performance } from 'node:perf_hooks';
import { launchBrowser, openApp, serveStatic } from './harness.mjs';
import { xlsxBuffer } from './workbook.mjs';

const rows = Number(process.env.ROWS ?? 100_000);
const header = ['employeeID', 'name', 'username', 'email', 'phone', 'isActive', 'tagSerials', 'organizationSerial'];
const data = [header];
for (let i = 1; i <= rows; i++) {
  data.push([`E${String(i).padStart(6, '0')}`, `Karyawan ${i}`, `user${i}`, `user${i}@example.com`,
    `62811${String(i).padStart(8, '0')}`, i % 7 === 0 ? 'FALSE' : 'TRUE', 'RUKRTAG-9WHL0JGP', 'COMPFJLYTHWL']);
}
const buffer = xlsxBuffer(data);

const site = await serveStatic();
const browser = await launchBrowser();
try {
  const { page } = await openApp(browser, site.url);
  const domRows = () => page.locator('[role="rowgroup"] [role="row"][data-row]').count();
  const start = performance.now();
  await page.locator('input[type="file"]').setInputFiles({ name: 'big.xlsx', mimeType: 'application/octet-stream', buffer });
  await page.locator(`[role="row"][data-row="2"]`).waitFor({ timeout: 120_000 });
  const firstPreview = (performance.now() - start) / 1000;
  const atTop = await domRows();

  const scrollTo = async (fraction, lastRow) => {
    const t0 = performance.now();
    await page.locator('[role="grid"]').evaluate((grid, f) => {
      grid.scrollTop = grid.scrollHeight * f;
    }, fraction);
    await page.locator(`[role="row"][data-row="${lastRow}"]`).waitFor({ timeout: 30_000 });
    return [(performance.now() - t0) / 1000, await domRows()];
  };
  const [middleSeconds, atMiddle] = await scrollTo(0.5, Math.floor(rows / 2) + 1);
  const [endSeconds, atEnd] = await scrollTo(1, rows + 1);
  const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);

  console.log(`rows in file:                 ${rows.toLocaleString('en')} (${(buffer.length / 1e6).toFixed(1)} MB xlsx)`);
  console.log(`time to first preview:        ${firstPreview.toFixed(2)} s (read, map, validate, render)`);
  console.log(`rows in the DOM at the top:   ${atTop}`);
  console.log(`scroll to the middle:         ${middleSeconds.toFixed(3)} s, ${atMiddle} rows in the DOM`);
  console.log(`scroll to the end:            ${endSeconds.toFixed(3)} s, ${atEnd} rows in the DOM`);
  console.log(`JS heap after loading:        ${(memory / 1e6).toFixed(1)} MB (wasm memory not included)`);
} finally {
  await browser.close();
  await site.close();
}
