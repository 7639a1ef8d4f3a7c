//! Exports for the street office's own spreadsheets: the community register as CSV, in the
//! columns the import reads, so an export imports back unchanged. Written through
//! [`crate::report::csv::CsvSheet`] (UTF-8 BOM, formula-like cells neutralised), as every CSV is.

use super::Result;
use super::access::{Permission, Staff};
use super::import::COLUMNS;
use crate::report::csv::CsvSheet;
use crate::store::{Store, registry};

/// The registry of a community as CSV. Observers get ID numbers masked and no phone numbers,
/// as on screen.
pub async fn residents_csv(store: &Store, staff: &Staff, community_id: i64) -> Result<Vec<u8>> {
    let role = staff.authorize(store, Permission::ReadRegistry, community_id).await?;
    let full = staff.sees_full_ids(role);
    let rows = registry::all_residents(store, community_id).await?;
    let mut sheet = CsvSheet::new(COLUMNS.iter().filter(|(f, _)| *f != "address").map(|(_, n)| n[0]));
    let yn = |b: bool| if b { "是" } else { "否" };
    for (r, hh, g) in rows {
        let id = if full { r.id_number.clone() } else { super::registry::mask(&r.id_number) };
        sheet.row([
            r.name,
            if r.gender == "male" { "男".into() } else { "女".into() },
            r.ethnicity,
            r.birth_date,
            id,
            hh.unwrap_or_default(),
            g.map(|g| g.to_string()).unwrap_or_default(),
            yn(r.hukou_here).into(),
            r.months_resident.to_string(),
            yn(r.community_worker).into(),
            r.worker_months.to_string(),
            if r.political_rights == "full" { "有".into() } else { "被剥夺".into() },
            yn(r.household_head).into(),
            if full { r.phone } else { String::new() },
        ]);
    }
    Ok(sheet.into_bytes())
}
