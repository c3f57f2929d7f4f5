import { openApp, startSuite, waitForBaseUrl } from '/work/main/tests/e2e/harness.mjs';
import { xlsxFile } from '/work/main/tests/e2e/workbook.mjs';
const lang = process.env.LANG_UI ?? 'id';
const suite = await startSuite();
const { sandbox, site, browser } = suite;
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
const { page } = await openApp(context, site.url);
await waitForBaseUrl(page, sandbox.url);
await page.locator('select[name="language"]').selectOption(lang);
const rows = [['NIK', 'Nama Karyawan', 'Email Kantor', 'No. HP', 'Aktif', 'Divisi', 'Jabatan', 'Tgl Masuk']];
const phones = (i) => [`0812-3456-${String(7000 + i)}`, `0813 8522 ${String(6000 + i)}`, `+62 812 5880 ${String(6000 + i)}`, `62812${String(10000000 + i)}`, `(021) 555-${String(1000 + i)}`][i % 5];
for (let i = 1; i <= 200; i++) {
  rows.push([`K${String(1000 + i)}`, `Karyawan ${i}`, i % 37 === 0 ? `k${i}@contoh,co.id` : `k${i}@contoh.co.id`, phones(i), i % 9 === 0 ? 'Tidak aktif' : 'Aktif', ['Keuangan', 'SDM', 'TI'][i % 3], 'Staf', '2024-01-0' + (1 + (i % 9))]);
}
rows[20][0] = rows[10][0];
await page.locator('input[type="file"]').setInputFiles(xlsxFile('karyawan.xlsx', rows));
await page.locator('[role="row"][data-row="2"]').waitFor();
await page.waitForTimeout(500);
await page.screenshot({ path: `/tmp/shots/${lang}-1-after-upload.png` });
await page.screenshot({ path: `/tmp/shots/${lang}-1-full.png`, fullPage: true });
const bad = page.locator('[aria-invalid="true"]').first();
if (await bad.count()) { await bad.scrollIntoViewIfNeeded(); await bad.focus(); await page.waitForTimeout(200); await page.screenshot({ path: `/tmp/shots/${lang}-2-focus-error.png` }); }
console.log(await page.locator('.summary, .counts, [role="status"]').allInnerTexts());
await suite.stop();
