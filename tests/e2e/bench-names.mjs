// Browser benchmark (prints figures, asserts nothing about speed): tags and
// organizations by name. The release sandbox holds 1,000 tags and 500
// organizations and answers after 100 ms; the page loads both lists with
// its token (timed in the page), then reads 10,000 rows whose tag and unit
// cells hold names (5% of them mistyped) and, for comparison, the same rows
// with serials. Prints the load time beside its network ideal, and the time
// from the file chosen to the complete report for both files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openApp, serveStatic, startSandbox } from './harness.mjs';
import { xlsxBuffer } from './workbook.mjs';

const ROWS = Number(process.env.ROWS ?? 10_000);
const LATENCY = 100;
const sandbox = await startSandbox(['--tags', '1000', '--organizations', '500', '--latency-ms', String(LATENCY)]);
const site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token } });
const browser = await launchBrowser();
const folder = mkdtempSync(join(tmpdir(), 'bench-names-'));
try {
  // The lists as the API gives them, to write the sheets from.
  const get = async (path) => (await fetch(sandbox.url + path, { headers: { Authorization: sandbox.token } })).json();
  const tags = [];
  for (let page = 1; ; page++) {
    const data = (await get(`/ruangkerja/tags?page=${page}&pageSize=100`)).data;
    tags.push(...data.items);
    if (page >= data.totalPage) break;
  }
  const organizations = [];
  const walk = (node, path) => {
    organizations.push({ ...node, path: [...path, node.name] });
    for (const child of node.childOrganizations) walk(child, [...path, node.name]);
  };
  for (const root of (await get('/ruangkerja/company-structure')).data) walk(root, []);
  const repeated = new Set(organizations.map((o) => o.name.toLowerCase()).filter((n, i, all) => all.indexOf(n) !== i));
  const typo = (text) => text.slice(0, 2) + text.slice(3);
  const header = ['NIK', 'Nama', 'Surel', 'Aktif', 'Tag', 'Unit Kerja'];
  const named = [header];
  const serials = [header];
  for (let i = 1; i <= ROWS; i++) {
    const [a, b] = [tags[i % tags.length], tags[(i * 7) % tags.length]];
    const org = organizations[i % organizations.length];
    const orgName = repeated.has(org.name.toLowerCase()) ? org.path.join(' > ') : org.name;
    const person = [`B${String(i).padStart(6, '0')}`, `Karyawan ${i}`, `b${i}@example.com`, 'ya'];
    const wrong = i % 20 === 0;
    named.push([...person, `${wrong ? typo(a.name) : a.name}; ${b.name}`, orgName]);
    serials.push([...person, `${a.serial}; ${b.serial}`, org.serial]);
  }
  const write = (name, rows) => {
    const path = join(folder, name);
    writeFileSync(path, xlsxBuffer(rows));
    return path;
  };
  const files = { names: write('names.xlsx', named), serials: write('serials.xlsx', serials) };

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const { page } = await openApp(context, site.url);
  const status = page.locator('.start__lists').filter({ hasText: 'organizations loaded' });
  await status.waitFor({ timeout: 60_000 });
  const loaded = await status.textContent();
  const loadMs = Number(loaded.match(/in (\d+) ms/)[1]);
  // One round trip for the first tag page and the structure together, then
  // the other pages four at a time.
  const pages = Math.ceil(tags.length / 100);
  const ideal = LATENCY * (1 + Math.ceil((pages - 1) / 4));

  const readTime = (path) => page.evaluate(() => new Promise((resolve) => {
    let start;
    document.addEventListener('change', () => { start = performance.now(); }, { capture: true, once: true });
    let seenProgress = false;
    const observer = new MutationObserver(() => {
      if (start === undefined) return;
      seenProgress ||= Boolean(document.querySelector('.read-progress'));
      if (seenProgress && !document.querySelector('.read-progress') && document.querySelector('[role="row"][data-row="2"]')) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }));
  const measure = async (path) => {
    const timing = readTime(path);
    await page.locator('input[type="file"]').setInputFiles(path);
    const ms = await timing;
    await page.waitForTimeout(500);
    return ms;
  };
  // Each file twice, alternating, best of two: the first read of a page
  // also warms its worker up.
  const runs = { serials: [], names: [] };
  for (let round = 0; round < 2; round++) {
    runs.serials.push(await measure(files.serials));
    runs.names.push(await measure(files.names));
  }
  const serialMs = Math.min(...runs.serials);
  const namesMs = Math.min(...runs.names);
  const problems = await page.locator('.names__item').count();
  const resolved = await page.locator('[role="row"][data-row="3"] [data-field="organizationSerial"] .grid__named').textContent();

  console.log(`sandbox: ${tags.length} tags, ${organizations.length} organizations, ${LATENCY} ms per answer`);
  console.log(`load both lists in the page          ${loadMs} ms (network ideal ${ideal} ms: ${pages} tag pages, 4 at a time, beside the structure; ratio ${(loadMs / ideal).toFixed(2)})`);
  console.log(`${ROWS.toLocaleString('en')} rows with serials: read + validate  ${Math.round(serialMs)} ms (best of ${runs.serials.map(Math.round).join(', ')})`);
  console.log(`${ROWS.toLocaleString('en')} rows with names: read + validate + resolve  ${Math.round(namesMs)} ms (best of ${runs.names.map(Math.round).join(', ')}; ${problems} distinct mistyped values, in ${ROWS / 20} rows, listed with choices; row 3's unit resolved to "${resolved}")`);
  console.log(`resolving names costs                ${Math.round(namesMs - serialMs)} ms over serials`);
} finally {
  await browser.close();
  await site.close();
  await sandbox.stop();
  rmSync(folder, { recursive: true, force: true });
}
