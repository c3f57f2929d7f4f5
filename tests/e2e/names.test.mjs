// Tags and organizations typed by name: resolved against the lists the
// page loads from the sandbox (its fixed part: three units named Finance at
// different levels, an inactive Warehouse and Legacy Projects, the docs'
// tags), with suggestions one click applies to every row holding the value,
// and the users created with the right serials. Without a token names wait.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep, openApp, serveStatic, startSandbox, launchBrowser, waitForBaseUrl } from './harness.mjs';
import XLSX from 'xlsx';
import { readXlsx, xlsxFile } from './workbook.mjs';

let sandbox;
let site;
let blindSite;
let browser;

before(async () => {
  sandbox = await startSandbox();
  site = await serveStatic({ config: { apiBaseUrl: sandbox.url, accessToken: sandbox.token } });
  // The same app with no token preset: the admin must give one.
  blindSite = await serveStatic({ config: { apiBaseUrl: sandbox.url } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await blindSite?.close();
  await sandbox?.stop();
});

const HEADER = ['NIK', 'Nama', 'Surel', 'Aktif', 'Tag', 'Unit Kerja'];
const SHEET = [
  HEADER,
  ['NM1', 'Ani', 'ani.nm@example.com', 'ya', 'Training User Batch 1; onboarding  2026', 'Head Office > Finance'],
  ['NM2', 'Budi', 'budi.nm@example.com', 'ya', 'training user batch 2', 'human resources'],
  ['NM3', 'Citra', 'citra.nm@example.com', 'ya', 'Onbording 2026', 'Sales'],
  ['NM4', 'Dewi', 'dewi.nm@example.com', 'ya', '', 'Finance'],
  ['NM5', 'Eko', 'eko.nm@example.com', 'ya', 'Onbording 2026, Shift Pagi', 'Warehouse'],
  ['NM6', 'Fajar', 'fajar.nm@example.com', 'ya', 'RUKRTAG-ABCD1234', 'Legacy Projects'],
  ['NM7', 'Gita', 'gita.nm@example.com', 'ya', '', 'Infromation Technology'],
];

const row = (page, number) => page.locator(`[role="row"][data-row="${number}"]`);
const cell = (page, number, field) => row(page, number).locator(`[data-field="${field}"]`);
const choice = (page, label) => page.locator('.names__choice').filter({ hasText: label });

test('tag and organization names resolve, typos and repeated names get one-click choices, and users are created with the right serials', async () => {
  const { page, errors } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('unit-kerja.xlsx', SHEET));
  await page.locator('.start__lists').filter({ hasText: '300 tags and 300 organizations loaded from Ruangkerja' }).waitFor();
  await row(page, 8).waitFor();
  // Exactly the expected problems: two tag typos, one repeated name, one
  // unit typo are errors; the two inactive units are warnings.
  await page.locator('.names__item').nth(2).waitFor();
  const items = await page.locator('.names__item').allTextContents();
  assert.equal(items.length, 3, items.join('\n'));
  assert.match(items[0], /^"Onbording 2026" \(tag, 2 rows\)/);
  assert.match(items[1], /^"Finance" \(organization named more than once, 1 row\)/);
  assert.match(items[2], /^"Infromation Technology" \(organization, 1 row\)/);
  const choices = await page.locator('.names__item').nth(1).locator('.names__choice').allTextContents();
  assert.deepEqual(choices, [
    'Use "Head Office > Finance"',
    'Use "Jakarta Branch > Finance"',
    'Use "Surabaya Branch > Finance"',
  ]);
  // The closest first; the sandbox's other "Onboarding 20xx" tags follow.
  const tagChoices = await page.locator('.names__item').nth(0).locator('.names__choice').allTextContents();
  assert.equal(tagChoices[0], 'Use "Onboarding 2026" in all 2');
  assert.ok(tagChoices.length <= 3 && tagChoices.every((c) => c.startsWith('Use "Onboarding 20')), tagChoices.join());
  assert.deepEqual(await page.locator('.names__item').nth(2).locator('.names__choice').allTextContents(), ['Use "Information Technology"']);

  const errorCells = await page.locator('.grid__cell--error').evaluateAll((cells) =>
    cells.map((c) => `${c.closest('[role="row"]').dataset.row}:${c.dataset.field}`).sort());
  assert.deepEqual(errorCells, ['4:tagSerials', '5:organizationSerial', '6:tagSerials', '8:organizationSerial']);
  const warningCells = await page.locator('.grid__cell--warning').evaluateAll((cells) =>
    cells.map((c) => `${c.closest('[role="row"]').dataset.row}:${c.dataset.field}`).sort());
  assert.deepEqual(warningCells, ['6:organizationSerial', '7:organizationSerial']);
  assert.match(await cell(page, 5, 'organizationSerial').locator('.grid__issue').textContent(), /3 organizations are named "Finance"/);
  assert.match(await cell(page, 7, 'organizationSerial').locator('.grid__issue').textContent(), /Legacy Projects is inactive in Ruangkerja/);
  // A resolved value shows the admin's name for it, and the serial sent beneath.
  assert.equal(await cell(page, 2, 'organizationSerial').locator('.grid__text').textContent(), 'Head Office > Finance');
  assert.equal(await cell(page, 2, 'organizationSerial').locator('.grid__named').textContent(), 'COMPFJLYTHWL');
  assert.equal(await cell(page, 2, 'tagSerials').locator('.grid__text').textContent(), 'Training User Batch 1; onboarding  2026');
  assert.equal(await cell(page, 2, 'tagSerials').locator('.grid__named').textContent(), 'RUKRTAG-9WHL0JGP, RUKRTAG-BBBBBBBB');
  await checkStep(page, 'names-1-choices');

  // One click fixes every row with the value.
  await choice(page, 'Use "Onboarding 2026" in all 2').click();
  await page.locator('.names__item').filter({ hasText: 'Onbording' }).waitFor({ state: 'detached' });
  await choice(page, 'Use "Jakarta Branch > Finance"').click();
  await page.locator('.names__item').filter({ hasText: '"Finance"' }).waitFor({ state: 'detached' });
  await choice(page, 'Use "Information Technology"').click();
  await page.locator('.names__item').first().waitFor({ state: 'detached' });
  assert.equal(await page.locator('.grid__cell--error').count(), 0);
  assert.equal(await cell(page, 6, 'tagSerials').locator('.grid__text').textContent(), 'Onboarding 2026; Shift Pagi');
  assert.equal(await cell(page, 6, 'tagSerials').locator('.grid__named').textContent(), 'RUKRTAG-BBBBBBBB, RUKRTAG-ABCD1234');
  await checkStep(page, 'names-2-fixed');

  await page.getByRole('button', { name: 'Create 7 users' }).click();
  await page.locator('.import__summary').filter({ hasText: '7 created' }).waitFor({ timeout: 30_000 });
  const users = Object.fromEntries((await sandbox.state()).users.map((u) => [u.employeeID, u]));
  const sent = (id) => [users[id].tagSerials ?? [], users[id].organizationSerial ?? null];
  assert.deepEqual(sent('NM1'), [['RUKRTAG-9WHL0JGP', 'RUKRTAG-BBBBBBBB'], 'COMPFJLYTHWL']);
  assert.deepEqual(sent('NM2'), [['RUKRTAG-AAAAAAAA'], 'COMPHUMANRES']);
  assert.deepEqual(sent('NM3'), [['RUKRTAG-BBBBBBBB'], 'COMPJKTSALES']);
  assert.deepEqual(sent('NM4'), [[], 'COMPJKTFINAN']);
  assert.deepEqual(sent('NM5'), [['RUKRTAG-BBBBBBBB', 'RUKRTAG-ABCD1234'], 'COMPSBYWRHSE']);
  assert.deepEqual(sent('NM6'), [['RUKRTAG-ABCD1234'], 'COMPLEGACY01']);
  assert.deepEqual(sent('NM7'), [[], 'COMPITDEPT01']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without a token names wait with one notice, serials pass; a refused token waits for another; a good one loads the lists and resolves them', async () => {
  const { page, errors } = await openApp(browser, blindSite.url);
  await waitForBaseUrl(page, sandbox.url);
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('tanpa-token.xlsx', [
    HEADER,
    ['NT1', 'Hana', 'hana.nt@example.com', 'ya', 'RUKRTAG-9WHL0JGP', 'COMPFJLYTHWL'],
    ['NT2', 'Irfan', 'irfan.nt@example.com', 'ya', 'Shift Pagi', 'Sales'],
  ]));
  await row(page, 3).waitFor();
  await page.locator('.names__status').filter({ hasText: 'once an access token is given' }).waitFor();
  assert.equal(await row(page, 2).locator('.grid__cell--error').count(), 0, 'serials pass without the lists');
  assert.match(await cell(page, 3, 'organizationSerial').locator('.grid__issue').textContent(), /"Sales" is a name: names are looked up in Ruangkerja once an access token is given/);
  assert.equal(await row(page, 3).locator('.grid__cell--error').count(), 2);
  await checkStep(page, 'names-3-no-token');

  // A refused token leaves the lists waiting for another, and says so.
  await page.locator('input[name="access-token"]').fill('not-the-token');
  await page.locator('.names__status').filter({ hasText: 'could not be loaded' }).filter({ hasText: 'access token was refused' }).waitFor();
  assert.equal(await row(page, 3).locator('.grid__cell--error').count(), 2);
  await page.locator('input[name="access-token"]').fill(sandbox.token);
  await page.locator('.start__lists').filter({ hasText: 'tags and 300 organizations loaded' }).waitFor({ timeout: 15_000 });
  await page.locator('.names__status').waitFor({ state: 'detached' });
  await page.locator('.grid__cell--error').first().waitFor({ state: 'detached' });
  assert.equal(await cell(page, 3, 'organizationSerial').locator('.grid__text').textContent(), 'Sales');
  assert.equal(await cell(page, 3, 'organizationSerial').locator('.grid__named').textContent(), 'COMPJKTSALES');
  // The refused token's 401s are the browser's own log lines, nothing else.
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await page.close();
});

test('the template, with the lists loaded, holds the organizations as a tree and the tags, and a dropdown of organization names', async () => {
  const { page } = await openApp(browser, site.url);
  await waitForBaseUrl(page, sandbox.url);
  // The lists load with the preset token; the template follows them.
  await page.locator('input[type="file"]').setInputFiles(xlsxFile('unit.xlsx', [HEADER, SHEET[1]]));
  await page.locator('.start__lists').filter({ hasText: 'organizations loaded' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download template' }).click(),
  ]);
  const bytes = await (await download.createReadStream()).toArray().then(Buffer.concat);
  const book = readXlsx(bytes);
  assert.deepEqual(book.sheetNames, ['Employees', 'Rules', 'Organizations', 'Tags']);
  const orgs = book.rows('Organizations');
  assert.deepEqual(orgs[0], ['Organization', 'Serial', 'Active', 'Type in the sheet']);
  assert.deepEqual(orgs.slice(1, 4), [
    ['Head Office', 'COMPHEADOFFC', 'yes', 'Head Office'],
    ['Finance', 'COMPFJLYTHWL', 'yes', 'Head Office > Finance'],
    ['Human Resources', 'COMPHUMANRES', 'yes', 'Human Resources'],
  ]);
  assert.equal(orgs.length, 301);
  const tags = book.rows('Tags');
  assert.deepEqual(tags.slice(0, 2), [['Tag', 'Serial'], ['Training User Batch 1', 'RUKRTAG-9WHL0JGP']]);
  assert.equal(tags.length, 301);
  // The indent of the tree and the dropdown, as the .xlsx writes them.
  const xml = entry(bytes, 'xl/worksheets/sheet1.xml');
  assert.match(xml, /<dataValidation type="list"[^>]*sqref="[A-Z]2:[A-Z]10001"[^>]*>\s*(<inputMessage[^>]*>)?[^]*?<formula1>'?Organizations'?!\$D\$2:\$D\$301<\/formula1>/);
  assert.match(entry(bytes, 'xl/styles.xml'), /indent="1"/);
  await page.close();
});

/** The text of one part of an .xlsx (a zip), read with SheetJS's own zip reader. */
function entry(buffer, name) {
  const zip = XLSX.CFB.read(buffer, { type: 'buffer' });
  const found = XLSX.CFB.find(zip, name) ?? XLSX.CFB.find(zip, `/${name}`) ?? zip.FileIndex.find((f, i) => zip.FullPaths[i].endsWith(name));
  if (!found) throw new Error(`${name} is not in the workbook`);
  return Buffer.from(found.content).toString('utf8');
}
