// The reader worker's script: loads the wasm-bindgen glue of the `reader`
// binary and starts it (its main() listens for the page's messages). The
// module's memory is kept on the worker's global scope so a benchmark can
// read its size.
importScripts('./reader.js');
wasm_bindgen({ module_or_path: './reader_bg.wasm' }).then((exports) => {
  self.readerMemory = exports.memory;
});
