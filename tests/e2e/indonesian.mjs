// The English the Indonesian page must never show, gathered from the
// sources rather than typed here, so a text added to the shell or the core
// is checked without anyone remembering to list it:
// - every field of the shell's `EN` texts (src/i18n.rs) that differs from
//   its `ID` counterpart;
// - the English side of every `pick("…", "…")` / `pick(format!("…"), …)`
//   in the shell and the core, split at its `{…}` placeholders;
// - the API's field names and a few short English words, which the
//   fragments above are too short to catch.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness.mjs';

const WORDS = [
  'employeeID', 'isActive', 'tagSerials', 'organizationSerial', 'newEmployeeID', 'username', 'phone',
  'Row ', 'Rows ', 'Sheet', 'sheet', 'Columns', 'Choose', 'Retry', 'Done', 'rows', 'Sandbox', 'true', 'false', 'Galat',
  'Created', 'Updated', 'Rejected', 'Not sent', 'Unconfirmed', 'Cancel', 'Pause', 'Resume',
];

const unescape = (literal) => literal.replace(/\\"/g, '"').replace(/\\n/g, ' ').replace(/\\\\/g, '\\');
const LITERAL = '"((?:[^"\\\\]|\\\\.)*)"';

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.rs') ? [path] : [];
  });
}

// Pieces of an English text between its placeholders, long enough to be
// the app's words and not a name or a number that both languages share.
function fragments(english, indonesian) {
  if (english === indonesian) return [];
  return english
    .split(/\{[^}]*\}/)
    .map((part) => part.trim().replace(/^[\s:;,.·()"-]+|[\s:;,.·()"-]+$/g, ''))
    .filter((part) => part.length >= 8 && part.includes(' ') && !indonesian.includes(part));
}

function englishTexts() {
  const texts = new Set();
  const i18n = readFileSync(join(repoRoot, 'src/i18n.rs'), 'utf8');
  const block = (name) => {
    const start = i18n.indexOf(`const ${name}: Text = Text {`);
    const body = i18n.slice(start, i18n.indexOf('\n};', start));
    return new Map([...body.matchAll(new RegExp(`^\\s+(\\w+): ${LITERAL},`, 'gm'))].map((m) => [m[1], unescape(m[2])]));
  };
  const [en, id] = [block('EN'), block('ID')];
  assert.ok(en.size > 100 && en.size === id.size, 'the shell\'s texts were found in src/i18n.rs');
  for (const [key, value] of en) fragments(value, id.get(key)).forEach((f) => texts.add(f));

  const pick = new RegExp(`pick\\(\\s*(?:format!\\(\\s*)?${LITERAL}[^"]*?${LITERAL}`, 'gs');
  const files = [...sourceFiles(join(repoRoot, 'src')), ...sourceFiles(join(repoRoot, 'crates/employee-import/src'))];
  let picks = 0;
  for (const file of files) {
    // Tests hold English on purpose.
    const source = readFileSync(file, 'utf8').split(/\n#\[cfg\(test\)\]/)[0];
    for (const m of source.matchAll(pick)) {
      picks += 1;
      fragments(unescape(m[1]), unescape(m[2])).forEach((f) => texts.add(f));
    }
  }
  assert.ok(picks > 100, `the texts picked by language were found (${picks})`);
  return [...texts];
}

export const TEXTS = englishTexts();

/**
 * Fails when the page, in Bahasa Indonesia, shows a word of the shell's or
 * the core's English, or an API field name outside the places that name
 * the API on purpose: beneath the admin's header in the grid, as the
 * mapping's choices, and the API's own words in small print beside a
 * refusal. Hidden text counts: it is read out and shows when unfolded.
 */
export async function assertIndonesian(page, step) {
  const shown = await page.evaluate(() => {
    const copy = document.body.cloneNode(true);
    for (const el of copy.querySelectorAll('.grid__api-name, select.mapping__select, .status__api, noscript')) el.remove();
    // Each text node apart, so that words of neighbouring elements do not
    // run together ("Client IDClient secret").
    const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    const parts = [];
    while (walker.nextNode()) parts.push(walker.currentNode.data);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
  const words = WORDS.filter((word) => new RegExp(`(^|[^A-Za-z])${word.trim()}([^A-Za-z]|$)`).test(shown));
  const texts = TEXTS.filter((text) => shown.includes(text));
  assert.deepEqual([...words, ...texts], [], `English on the Indonesian page at ${step}:\n${shown}`);
}
