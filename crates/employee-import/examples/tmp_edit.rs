use employee_import::*;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let mut import = Import::from_bytes(&bytes).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        import.edit_cell(2, Field::Name, "Budi Santoso");
        let a = t.elapsed().as_secs_f64() * 1e3;
        let _ = import.ledger.counts();
        let b = t.elapsed().as_secs_f64() * 1e3;
        let _ = import.outlook();
        let c = t.elapsed().as_secs_f64() * 1e3;
        let _ = import.updated_count();
        let d = t.elapsed().as_secs_f64() * 1e3;
        let _ = import.plan_emails(usize::MAX);
        let e = t.elapsed().as_secs_f64() * 1e3;
        let _ = import.report.counts_by_field();
        let f = t.elapsed().as_secs_f64() * 1e3;
        let n = import.report.rows.iter().filter(|r| r.is_valid()).count();
        let g = t.elapsed().as_secs_f64() * 1e3;
        println!("edit {a:.1} counts {:.1} outlook {:.1} updated {:.1} emails {:.1} byfield {:.1} filter {:.1} ms {n}", b-a, c-b, d-c, e-d, f-e, g-f);
    }
}
