// Probe (not committed): trace of reading 3 files; per 25 ms bucket, busy ms of page main thread and worker threads.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openApp, serveStatic } from './harness.mjs';
const site = await serveStatic();
const browser = await launchBrowser();
const file = '/tmp/perfwork/big.xlsx';
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const { page } = await openApp(context, site.url);
  await page.waitForFunction(() => document.querySelector('h1'));
  const which = Number(process.env.WHICH ?? 2);
  for (let i = 1; i <= which; i++) {
    if (i === which) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'blink.user_timing', 'disabled-by-default-v8.cpu_profiler'] });
    const t = page.evaluate(() => new Promise((resolve) => {
      let start; document.addEventListener('change', () => { start = performance.now(); performance.mark('chosen'); }, { capture: true, once: true });
      let seen = false;
      const mo = new MutationObserver(() => {
        const reading = document.querySelector('.read-progress'); seen ||= Boolean(reading);
        if (seen && !reading && document.querySelector('[role="row"][data-row="2"]')) { mo.disconnect(); performance.mark('complete'); resolve(performance.now() - start); }
      });
      mo.observe(document.body, { childList: true, subtree: true });
    }));
    await page.locator('input[type="file"]').setInputFiles(file);
    console.log(`file ${i}: complete ${Math.round(await t)} ms`);
    await page.waitForTimeout(600);
  }
  const buf = await browser.stopTracing();
  writeFileSync('/tmp/probes/trace.json', buf);
} finally { await browser.close(); await site.close(); }
