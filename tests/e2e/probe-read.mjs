import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openApp, serveStatic } from './harness.mjs';
import { xlsxBuffer } from './workbook.mjs';
const rows = 100000;
const header = ['employeeID', 'name', 'username', 'email', 'phone', 'isActive', 'tagSerials', 'organizationSerial'];
const data = [header];
for (let i = 1; i <= rows; i++) data.push([`E${String(i).padStart(6, '0')}`, `Karyawan ${i}`, `user${i}`, `user${i}@example.com`, `62811${String(i).padStart(8, '0')}`, i % 7 === 0 ? 'FALSE' : 'TRUE', 'RUKRTAG-9WHL0JGP', 'COMPFJLYTHWL']);
const folder = mkdtempSync(join(tmpdir(), 'probe-'));
const path = join(folder, 'big.xlsx'); writeFileSync(path, xlsxBuffer(data));
const site = await serveStatic(); const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
await context.addInitScript(() => {
  const W = window.Worker;
  window.Worker = function (...args) { const w = new W(...args); w.addEventListener('message', (e) => { const d = e.data; const kind = typeof d === 'string' ? d.slice(0, 30) : (d instanceof ArrayBuffer ? 'chunk ' + d.byteLength : 'other'); (window.__msgs ||= []).push([performance.now(), kind]); }); return w; };
  document.addEventListener('change', () => { window.__start = performance.now(); }, { capture: true });
  new PerformanceObserver((l) => (window.__long ||= []).push(...l.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask' });
});
const { page } = await openApp(context, site.url); page.on('console', (m) => { if (m.text().includes('PROBE')) console.log(m.text()); });
await page.waitForFunction(() => document.querySelector('h1'));
for (let k = 0; k < Number(process.env.N ?? 2); k++) {
  await page.evaluate(() => { window.__msgs = []; window.__long = []; });
  await page.locator('input[type="file"]').setInputFiles(path);
  await page.waitForFunction(() => !document.querySelector('.read-progress') && document.querySelector('[role="row"][data-row="2"]'), null, { timeout: 60000 });
  await page.waitForTimeout(600);
  const { msgs, long, start } = await page.evaluate(() => ({ msgs: window.__msgs, long: window.__long, start: window.__start }));
  const t = (x) => Math.round(x - start);
  const chunks = msgs.filter((m) => m[1].startsWith('chunk'));
  for (const m of msgs.filter((m) => !m[1].startsWith('chunk'))) console.log(t(m[0]), m[1]);
  if (chunks.length) console.log('chunks', chunks.length, 'first', t(chunks[0][0]), 'last', t(chunks.at(-1)[0]), 'size', chunks[0][1]);
  console.log('long tasks', long.filter((l) => l[0] >= start - 5).map((l) => `${t(l[0])}+${Math.round(l[1])}`).join(' '));
}
await browser.close(); await site.close();
