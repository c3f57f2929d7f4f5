// Builds real .xlsx files in memory with SheetJS, an independent writer, so
// the app's reader is checked against a file it did not produce itself.
import XLSX from 'xlsx';

/** rows: arrays of cell values (strings, numbers, booleans); first is the header. */
export function xlsxBuffer(rows, sheetName = 'Employees') {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), sheetName);
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true });
}

export function xlsxFile(name, rows) {
  return {
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsxBuffer(rows),
  };
}

/** sheets: [{ name, rows, hidden }] -> one .xlsx with every sheet. */
export function xlsxWorkbookFile(name, sheets) {
  const book = XLSX.utils.book_new();
  for (const sheet of sheets) {
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(sheet.rows), sheet.name);
  }
  book.Workbook = { Sheets: sheets.map((sheet) => ({ Hidden: sheet.hidden ? 1 : 0 })) };
  return {
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }),
  };
}

/** Reads an .xlsx buffer back: { sheetNames, rows(sheet) } for assertions. */
export function readXlsx(buffer) {
  const book = XLSX.read(buffer, { type: 'buffer' });
  return {
    sheetNames: book.SheetNames,
    rows: (sheet) => XLSX.utils.sheet_to_json(book.Sheets[sheet], { header: 1, defval: '' }),
    /** One cell as SheetJS reads it: `t` its type, `f` a formula if any. */
    cell: (sheet, address) => book.Sheets[sheet][address],
  };
}
