//! Many small rows carried as one text value. Through sqlx's `Any` driver every value of every
//! row costs about a microsecond on its way out of the database (copied, converted, looked up
//! by name), so a statistics table that reads 10,000 units × a dozen figures spent more time
//! carrying rows than computing them. Queries that return one row per unit instead aggregate
//! their rows into a single text with `string_agg` (PostgreSQL, and SQLite since 3.44) that is
//! parsed here.
//!
//! The format: rows separated by `;`, fields by `,`; integers in decimal, an empty field for
//! NULL. A free text goes last in its row, prefixed by its length in characters, so it may hold
//! any separator.

use crate::{StoreError, StoreResult};

/// `SELECT string_agg(<fields joined>, ';') FROM (<inner>) packed`: the rows of `inner`, whose
/// `fields` are integer columns (NULL allowed), as one text (NULL when there are none).
pub(crate) fn ints_sql(fields: &[&str], inner: &str) -> String {
    packed_sql(int_fields(fields), inner)
}

/// Like [`ints_sql`], with a free text column after the integers.
pub(crate) fn ints_and_text_sql(fields: &[&str], text: &str, inner: &str) -> String {
    let mut row = int_fields(fields);
    row.push(format!("CAST(length({text}) AS TEXT)"));
    row.push(text.to_string());
    packed_sql(row, inner)
}

fn int_fields(fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .map(|f| format!("COALESCE(CAST({f} AS TEXT), '')"))
        .collect()
}

fn packed_sql(row: Vec<String>, inner: &str) -> String {
    format!(
        "SELECT string_agg({}, ';') FROM ({inner}) packed",
        row.join(" || ',' || ")
    )
}

pub(crate) fn malformed(what: &str) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(format!("packed rows: {what}").into()))
}

fn int(field: &str) -> StoreResult<Option<i64>> {
    if field.is_empty() {
        return Ok(None);
    }
    field
        .parse()
        .map(Some)
        .map_err(|_| malformed("not an integer"))
}

/// The rows of [`ints_sql`] with `N` fields each; NULL reads as 0.
pub(crate) fn int_rows<const N: usize>(packed: Option<&str>) -> StoreResult<Vec<[i64; N]>> {
    let Some(packed) = packed.filter(|p| !p.is_empty()) else {
        return Ok(vec![]);
    };
    packed
        .split(';')
        .map(|row| {
            let mut out = [0i64; N];
            let mut fields = row.split(',');
            for slot in out.iter_mut() {
                let field = fields
                    .next()
                    .ok_or_else(|| malformed("a field is missing"))?;
                *slot = int(field)?.unwrap_or(0);
            }
            if fields.next().is_some() {
                return Err(malformed("too many fields"));
            }
            Ok(out)
        })
        .collect()
}

/// The rows of [`ints_and_text_sql`] with `N` integer fields (NULL as `None`) and the text.
pub(crate) fn int_text_rows<const N: usize>(
    packed: Option<&str>,
) -> StoreResult<Vec<([Option<i64>; N], String)>> {
    let mut rows = Vec::new();
    let Some(mut rest) = packed.filter(|p| !p.is_empty()) else {
        return Ok(rows);
    };
    loop {
        let mut ints = [None; N];
        for slot in ints.iter_mut() {
            let (field, after) = rest
                .split_once(',')
                .ok_or_else(|| malformed("a field is missing"))?;
            *slot = int(field)?;
            rest = after;
        }
        let (len, after) = rest
            .split_once(',')
            .ok_or_else(|| malformed("the text's length is missing"))?;
        let len: usize = len.parse().map_err(|_| malformed("a bad text length"))?;
        let end = after
            .char_indices()
            .nth(len)
            .map_or(after.len(), |(i, _)| i);
        if after[..end].chars().count() != len {
            return Err(malformed("the text is cut short"));
        }
        rows.push((ints, after[..end].to_string()));
        rest = &after[end..];
        match rest.strip_prefix(';') {
            Some(next) => rest = next,
            None if rest.is_empty() => return Ok(rows),
            None => return Err(malformed("a row runs past its text")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_rows_read_back_with_nulls_as_zero() {
        assert_eq!(int_rows::<2>(None).unwrap(), Vec::<[i64; 2]>::new());
        assert_eq!(int_rows::<2>(Some("")).unwrap(), Vec::<[i64; 2]>::new());
        assert_eq!(
            int_rows::<3>(Some("1,2,3;-4,,6")).unwrap(),
            vec![[1, 2, 3], [-4, 0, 6]]
        );
        assert!(int_rows::<3>(Some("1,2")).is_err());
        assert!(int_rows::<1>(Some("1,2")).is_err());
        assert!(int_rows::<1>(Some("x")).is_err());
    }

    #[test]
    fn texts_may_hold_the_separators() {
        let packed = "1,,0,6,集团,;公司;2,1,-3,0,;3,1,5,2,😀;";
        let rows = int_text_rows::<3>(Some(packed)).unwrap();
        assert_eq!(
            rows,
            vec![
                ([Some(1), None, Some(0)], "集团,;公司".to_string()),
                ([Some(2), Some(1), Some(-3)], String::new()),
                ([Some(3), Some(1), Some(5)], "😀;".to_string()),
            ]
        );
        assert!(int_text_rows::<1>(Some("1,5,abc")).is_err());
        assert!(int_text_rows::<1>(Some("1,1,ab")).is_err());
        assert!(int_text_rows::<1>(Some("1,x,a")).is_err());
    }
}
