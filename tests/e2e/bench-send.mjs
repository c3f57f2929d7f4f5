// Sending benchmark (prints figures, asserts nothing about speed): 10,000
// and 100,000 rows through the release build to the sandbox with 100 ms
// added latency, in batches of 100 with 3 at once. For each size it prints
// the page's wall time next to the ideal (batches x latency / concurrency)
// and next to the same batches posted straight from Node (the network's
// own floor: transfer and the sandbox's work included).
//
// The wall time runs from the click to the moment the page shows the
// final count, taken inside the page by a MutationObserver (a poller from
// outside notices up to half a second late).
//
//   node bench-send.mjs            both sizes
//   ROWS=10000 node bench-send.mjs one size
import { launchBrowser, openApp, serveStatic, startSandbox, waitForBaseUrl, setSendSettings } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

const sizes = process.env.ROWS ? [Number(process.env.ROWS)] : [10_000, 100_000];
const latencyMs = 100;
const batchSize = 100;
const concurrency = 3;

/** The same batches posted from Node, `concurrency` at a time. */
async function direct(sandbox, rows, prefix) {
  const batches = [];
  for (let start = 0; start < rows; start += batchSize) {
    const data = [];
    for (let i = start; i < Math.min(rows, start + batchSize); i++) {
      data.push({ employeeID: `${prefix}${i}`, name: `Name ${i}`, email: `${prefix.toLowerCase()}${i}@example.com`, isActive: true });
    }
    batches.push(JSON.stringify({ data }));
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const answer = await fetch(`${sandbox.url}/ruangkerja/users/create-bulk`, {
        method: 'POST',
        headers: { Authorization: sandbox.token, 'Content-Type': 'application/json' },
        body,
      });
      await answer.text();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - start) / 1000;
}

/** Sends `rows` fresh users through the page; returns its wall time. */
async function throughPage(browser, site, sandbox, rows) {
  const { page } = await openApp(browser, site.url);
  try {
    await waitForBaseUrl(page, sandbox.url);
    const data = [['employeeID', 'name', 'email', 'isActive']];
    for (let i = 0; i < rows; i++) data.push([`B${rows}X${i}`, `Name ${i}`, `b${rows}x${i}@example.com`, true]);
    await page.locator('input[type="file"]').setInputFiles(xlsxFile('bench.xlsx', data));
    await setSendSettings(page, { batchSize: String(batchSize), concurrency: String(concurrency) });
    const label = `Create ${rows.toLocaleString('en')} users`;
    const button = page.getByRole('button', { name: label });
    await button.waitFor({ timeout: 600_000 });
    const done = `${rows.toLocaleString('en')} created.`;
    await page.evaluate((done) => {
      window.benchDone = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          const shown = [...document.querySelectorAll('[role="status"]')].some((el) => el.textContent.includes(done));
          if (shown) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    }, done);
    const clicked = await page.evaluate(() => {
      performance.setResourceTimingBufferSize(1_000_000);
      performance.clearResourceTimings();
      return performance.now();
    });
    await button.click();
    const finished = await page.evaluate(() => window.benchDone);
    // Where the time went: before the first request, between an answer
    // and the request taking its place, in the requests, after the last.
    const requests = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/create-bulk'))
        .map((entry) => [entry.startTime, entry.responseEnd]),
    );
    const starts = requests.map(([start]) => start).sort((a, b) => a - b);
    const ends = requests.map(([, end]) => end).sort((a, b) => a - b);
    const gaps = starts.slice(concurrency).map((start, i) => start - ends[i]).sort((a, b) => a - b);
    const took = requests.map(([start, end]) => end - start).sort((a, b) => a - b);
    const median = (values) => values[Math.floor(values.length / 2)] ?? 0;
    const breakdown =
      `first request ${(starts[0] - clicked).toFixed(0)} ms after the click; ` +
      `request ${median(took).toFixed(1)} ms (median); answer to next request ${median(gaps).toFixed(1)} ms (median); ` +
      `last answer to final count ${(finished - ends[ends.length - 1]).toFixed(0)} ms`;
    return { wall: (finished - clicked) / 1000, breakdown };
  } finally {
    await page.close();
  }
}

const sandbox = await startSandbox(['--latency-ms', String(latencyMs)]);
const site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token } });
const browser = await launchBrowser();
try {
  console.log(`batches of ${batchSize}, ${concurrency} at once, ${latencyMs} ms latency`);
  for (const rows of sizes) {
    const batches = Math.ceil(rows / batchSize);
    const ideal = (batches * latencyMs) / 1000 / concurrency;
    const floor = await direct(sandbox, rows, `D${rows}X`);
    const { wall, breakdown } = await throughPage(browser, site, sandbox, rows);
    const state = await sandbox.state();
    let once = 0;
    for (let i = 0; i < rows; i++) once += state.creations[`B${rows}X${i}`] === 1 ? 1 : 0;
    console.log(
      `${rows.toLocaleString('en')} rows: page ${wall.toFixed(2)} s, ratio to ideal ${(wall / ideal).toFixed(2)} ` +
        `(ideal ${ideal.toFixed(2)} s; Node posting the same batches ${floor.toFixed(2)} s, ratio ${(floor / ideal).toFixed(2)}); ` +
        `created exactly once: ${once} of ${rows}`,
    );
    console.log(`  ${breakdown}`);
  }
} finally {
  await browser.close();
  await site.close();
  await sandbox.stop();
}
