import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openApp, serveStatic } from './harness.mjs';
import { xlsxBuffer } from './workbook.mjs';
const rows = Number(process.env.ROWS ?? 100000);
const header = ['employeeID', 'name', 'username', 'email', 'phone', 'isActive', 'tagSerials', 'organizationSerial'];
const data = [header];
for (let i = 1; i <= rows; i++) data.push([`E${String(i).padStart(6, '0')}`, `Karyawan ${i}`, `user${i}`, `user${i}@example.com`, `62811${String(i).padStart(8, '0')}`, i % 7 === 0 ? 'FALSE' : 'TRUE', 'RUKRTAG-9WHL0JGP', 'COMPFJLYTHWL']);
const folder = mkdtempSync(join(tmpdir(), 'probe-'));
const path = join(folder, 'big.xlsx'); writeFileSync(path, xlsxBuffer(data));
const site = await serveStatic(); const browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
const { page } = await openApp(context, site.url);
await page.waitForFunction(() => document.querySelector('h1'));
if (process.env.SECOND) { await page.locator('input[type="file"]').setInputFiles(path); await page.waitForFunction(() => !document.querySelector('.read-progress') && document.querySelector('[role="row"][data-row="2"]'), null, { timeout: 60000 }); }
await page.waitForTimeout(1500);
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 100 }); await cdp.send('Profiler.start');
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
await page.locator('input[type="file"]').setInputFiles(path);
await page.waitForFunction(() => !document.querySelector('.read-progress') && document.querySelector('[role="row"][data-row="2"]'), null, { timeout: 60000 });
await page.waitForTimeout(300);
const { profile } = await cdp.send('Profiler.stop');
await cdp.send('Tracing.end'); await done;
const byId = new Map(profile.nodes.map((n) => [n.id, n])); const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const samples = []; let ts = profile.startTime; profile.samples.forEach((id, i) => { ts += profile.timeDeltas[i]; samples.push([ts, id, profile.timeDeltas[i]]); });
const main = events.filter((e) => e.name === 'RunTask' && e.dur > 25000);
const byThread = (e) => `${e.pid}:${e.tid}`;
for (const task of main) {
  const inside = events.filter((e) => byThread(e) === byThread(task) && e.ph === 'X' && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur && e !== task);
  const sums = new Map();
  for (const e of inside) sums.set(e.name, (sums.get(e.name) ?? 0) + e.dur);
  console.log(`task ${Math.round(task.dur / 1000)} ms on ${byThread(task)}:`, [...sums].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${Math.round(v / 1000)}`).join(', '));
  const incl = new Map();
  for (const [t, id, dt] of samples) { if (t < task.ts || t > task.ts + task.dur) continue; const seen = new Set(); let cur = id; while (cur !== undefined) { const nm = (byId.get(cur).callFrame.functionName || '(anon)').replace(/::h[0-9a-f]{16}/, ''); if (!seen.has(nm)) { seen.add(nm); incl.set(nm, (incl.get(nm) ?? 0) + dt); } cur = parent.get(cur); } }
  for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) if (/ruangkerja|employee_import|tachys|leptos|Layout|reactive/.test(k) || us > 3000) console.log('   ', String(Math.round(us / 1000)).padStart(4), k.slice(0, 130));
}
await browser.close(); await site.close();
