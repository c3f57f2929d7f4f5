//! The reader worker's entry point (Trunk builds it as a Web Worker; see
//! index.html).

fn main() {
    ruangkerja_importer::reader::run();
}
