// Builds real .xlsx files in memory with SheetJS, an independent writer, so
// the app's reader is checked against a file it did not produce itself.
import XLSX from 'xlsx';

/** rows: arrays of cell values (strings, numbers, booleans); first is the header. */
export function xlsxBuffer(rows, sheetName = 'Employees') {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), sheetName);
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' });
}

export function xlsxFile(name, rows) {
  return {
    name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsxBuffer(rows),
  };
}
