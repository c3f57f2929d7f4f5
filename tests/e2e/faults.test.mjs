// Sending through a misbehaving API: one test per fault of the sandbox.
// Each checks, from the sandbox's state, that every user exists and was
// created exactly once, and from the page, that every row has its outcome.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, startSuite, waitForBaseUrl, setSendSettings } from './harness.mjs';
import { xlsxFile } from './workbook.mjs';

const ROWS = 30;
let sandbox;
let site;
let browser;
let suite;
let run = 0;

before(async () => {
  // A short time limit so that unanswered requests are given up quickly.
  suite = await startSuite({ requestTimeoutSeconds: 2 });
  ({ sandbox, site, browser } = suite);
});

after(async () => {
  await suite?.stop();
});

/** Sends ROWS fresh users in batches of 5 under `faults`; returns their IDs and the page. */
async function sendUnder(faults, { concurrency = 1, whileSending } = {}) {
  run += 1;
  const prefix = `F${run}X`;
  const ids = Array.from({ length: ROWS }, (_, i) => `${prefix}${i}`);
  await sandbox.faults({});
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(
    xlsxFile(`${prefix}.xlsx`, [
      ['employeeID', 'name', 'email', 'isActive'],
      ...ids.map((id) => [id, `Name ${id}`, `${id.toLowerCase()}@example.com`, true]),
    ]),
  );
  await setSendSettings(page, { batchSize: '5', concurrency: String(concurrency) });
  // The check before sending runs on a healthy API; the faults are for the send.
  const send = page.getByRole('button', { name: `Create ${ROWS} users` });
  await send.waitFor();
  await sandbox.faults({ seed: run, ...faults });
  await send.click();
  if (whileSending) await whileSending(page);
  await page.getByRole('status').filter({ hasText: `${prefix}.xlsx: ${ROWS} created.` }).waitFor({ timeout: 60_000 });
  await sandbox.faults({});
  return { ids, page, errors };
}

async function assertEachCreatedOnce(ids, page) {
  const state = await sandbox.state();
  for (const id of ids) {
    assert.equal(state.creations[id], 1, `${id} created ${state.creations[id] ?? 0} times`);
  }
  // Every row shows an outcome: a serial, or applied-by-lookup.
  const outcomes = await page.locator('[role="rowgroup"] [role="row"][data-row] .status--created').count();
  const rendered = await page.locator('[role="rowgroup"] [role="row"][data-row]').count();
  assert.equal(outcomes, rendered);
  await page.close();
}

test('500 answers are retried and every row is created once', async () => {
  const { ids, page } = await sendUnder({ errorRate: 0.2, errorStatuses: [500] });
  await assertEachCreatedOnce(ids, page);
});

test('503 answers are retried and every row is created once', async () => {
  const { ids, page } = await sendUnder({ errorRate: 0.2, errorStatuses: [503] }, { concurrency: 3 });
  await assertEachCreatedOnce(ids, page);
});

test('429 with Retry-After is waited out and every row is created once', async () => {
  const { ids, page } = await sendUnder({ rateLimitRate: 0.3, retryAfterSeconds: 1 });
  await assertEachCreatedOnce(ids, page);
});

test('a request that never answers times out, is reconciled, and every row is created once', async () => {
  const { ids, page } = await sendUnder({ hangRate: 0.2 });
  await assertEachCreatedOnce(ids, page);
});

test('a request applied but whose connection dropped is reconciled, never sent twice', async () => {
  const { ids, page } = await sendUnder({ dropAfterApplyRate: 0.3 });
  await assertEachCreatedOnce(ids, page);
  const state = await sandbox.state();
  assert.ok(ids.every((id) => state.creations[id] === 1));
});

test('malformed JSON answers are reconciled and every row is created once', async () => {
  const { ids, page } = await sendUnder({ malformedJsonRate: 0.3 });
  await assertEachCreatedOnce(ids, page);
});

test('items missing from an answer are reconciled, not dropped', async () => {
  const { ids, page } = await sendUnder({ omitItemsRate: 0.5 });
  await assertEachCreatedOnce(ids, page);
});

test('a token that expires mid-run holds sending until a new one is pasted', async () => {
  const { ids, page } = await sendUnder(
    { tokenExpiresAfterRequests: 2 },
    {
      whileSending: async (page) => {
        await page.getByRole('alert').filter({ hasText: 'access token was refused' }).first().waitFor();
        // The rows answered before the refusal count as created (the
        // counts settle a moment after the answers).
        await page.locator('.import__summary').filter({ hasText: /created/ }).waitFor();
        assert.ok(await page.locator('details.fold--connection').evaluate((fold) => fold.open), 'the connection opens for a new token');
        await sandbox.faults({});
        await page.locator('input[name="access-token"]').fill(await sandbox.newToken());
        await page.getByRole('button', { name: 'Resume' }).click();
      },
    },
  );
  await assertEachCreatedOnce(ids, page);
});

test('a page reloaded mid-run offers to resume, and rows already done are not sent again', async () => {
  run += 1;
  const prefix = `F${run}X`;
  const ids = Array.from({ length: ROWS }, (_, i) => `${prefix}${i}`);
  const file = xlsxFile(`${prefix}.xlsx`, [
    ['employeeID', 'name', 'email', 'isActive'],
    ...ids.map((id) => [id, `Name ${id}`, `${id.toLowerCase()}@example.com`, true]),
  ]);
  await sandbox.faults({ seed: run, latencyMs: 250 });
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(file);
  await setSendSettings(page, { batchSize: '5', concurrency: '1' });
  await page.getByRole('button', { name: `Create ${ROWS} users` }).click();
  await page.getByRole('status').filter({ hasText: /1[05] created/ }).first().waitFor();

  await page.reload();
  const offer = page.getByRole('status').filter({ hasText: `An unfinished import of ${prefix}.xlsx` });
  await offer.waitFor();
  assert.match(await offer.textContent(), /rows done/);
  await sandbox.faults({});
  await page.locator('input[type="file"]').setInputFiles(file);
  // Rows created before the reload keep their serials.
  const before = await sandbox.state();
  const first = before.users.find((user) => user.employeeID === `${prefix}0`);
  assert.equal(await page.locator('[role="row"][data-row="2"] .status__serial').textContent(), first.serial);
  const send = page.getByRole('button', { name: /^Create \d+ users?$/ });
  const waiting = Number((await send.textContent()).match(/\d+/)[0]);
  assert.ok(waiting > 0 && waiting < ROWS, `${waiting} rows waiting`);
  await send.click();
  await page.getByRole('status').filter({ hasText: `${prefix}.xlsx: ${ROWS} created.` }).waitFor({ timeout: 60_000 });
  const state = await sandbox.state();
  for (const id of ids) {
    assert.equal(state.creations[id], 1, `${id} created ${state.creations[id] ?? 0} times`);
  }
  await page.close();
});

test('sending can be paused and resumed, with progress shown', async () => {
  const { ids, page } = await sendUnder(
    { latencyMs: 200 },
    {
      whileSending: async (page) => {
        const progress = page.locator('.progress__text');
        await progress.waitFor();
        assert.match(await progress.textContent(), new RegExp(`^\\d+ of ${ROWS} rows · \\d+ rows/s`));
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('status').filter({ hasText: 'Paused.' }).waitFor();
        assert.equal(await page.locator('progress').getAttribute('max'), String(ROWS));
        await page.getByRole('button', { name: 'Resume' }).click();
      },
    },
  );
  await assertEachCreatedOnce(ids, page);
});

test('two tabs, one file: users are created once, and the second tab shows the first one\'s outcomes', async () => {
  run += 1;
  const prefix = `F${run}X`;
  const file = (name) =>
    xlsxFile(name, [
      ['employeeID', 'name', 'email', 'isActive'],
      ...Array.from({ length: 10 }, (_, i) => [`${prefix}${i}`, 'Name', `${prefix.toLowerCase()}${i}@example.com`, true]),
    ]);
  await sandbox.faults({ seed: run, latencyMs: 400 });
  const context = await browser.newContext();
  const open = async (page) => {
    await page.goto(site.url);
    await waitForBaseUrl(page, sandbox.url);
    await page.locator('input[type="file"]').setInputFiles(file(`${prefix}.xlsx`));
    await setSendSettings(page, { batchSize: '2', concurrency: '1' });
  };
  const first = await context.newPage();
  const second = await context.newPage();
  await open(first);
  await open(second);
  await first.getByRole('button', { name: 'Create 10 users' }).click();
  await first.locator('.progress__text').waitFor();
  // The second tab, open before the run began, may not send meanwhile.
  await second.getByRole('button', { name: 'Create 10 users' }).click();
  await second.getByRole('alert').filter({ hasText: 'Another tab of this app is sending an import' }).waitFor();
  // A third tab opening the file during the run is told, and shows the
  // rows done so far.
  await first.getByRole('status').filter({ hasText: /[1-9] created/ }).first().waitFor();
  const third = await context.newPage();
  await open(third);
  await third.getByRole('alert').filter({ hasText: 'This file is being sent in another tab' }).waitFor();
  assert.ok((await third.locator('[role="rowgroup"] .status--created').count()) > 0, 'rows created so far are shown');

  await first.getByRole('status').filter({ hasText: `${prefix}.xlsx: 10 created.` }).waitFor({ timeout: 30_000 });
  await sandbox.faults({});
  // Once the first tab is done, the second takes its outcomes in instead
  // of sending the rows again (which the API would refuse as taken).
  await second.getByRole('button', { name: 'Create 10 users' }).click();
  await second.getByRole('status').filter({ hasText: `${prefix}.xlsx: 10 created.` }).waitFor();
  assert.equal(await second.locator('[role="rowgroup"] .status--created').count(), 10);
  assert.equal(await second.getByText(/rejected|refused/).count(), 0);
  const state = await sandbox.state();
  for (let i = 0; i < 10; i++) assert.equal(state.creations[`${prefix}${i}`], 1);
  await context.close();
});

test('an outage of 500s is told under the progress bar while the app retries, and forgotten once the API answers again', async () => {
  const { ids, page, errors } = await sendUnder(
    { errorRate: 1, errorStatuses: [500] },
    {
      whileSending: async (page) => {
        // Where the admin looks: under the bar, saying the app retries by itself.
        const status = page.locator('.progress__status').filter({ hasText: 'Trying again by itself in' });
        await status.waitFor({ timeout: 15_000 });
        assert.match(await status.textContent(), /500/);
        assert.equal(await page.getByRole('alert').count(), 0, 'no red banner for what the app handles itself');
        await sandbox.faults({});
      },
    },
  );
  // Recovered: no stale word of the outage, and what to do next.
  assert.equal(await page.locator('.progress__status').count(), 0);
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.match(await page.locator('.send__done').textContent(), /Done: 30 saved in Ruangkerja/);
  assert.equal(await page.getByRole('button', { name: /Create 0 users/ }).count(), 0);
  assert.deepEqual(errors.filter((e) => !e.includes('status of 500')), []);
  await assertEachCreatedOnce(ids, page);
});
