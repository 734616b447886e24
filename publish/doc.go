// Package publish is the publisher's side of smartcheck in bulk: it turns
// a spreadsheet of products (CSV as Excel and LibreOffice save it, or
// JSON Lines) into signed smartcheck-declaration/1 records and checks
// them as catalog append would before anything is written (Check); it
// says what appending them would change at the till (Changes, for
// --dry-run); and it writes every GTIN of a catalog with its verdict, for
// audits and for a point-of-sale system's item file (Export).
//
// Everything is checked before anything is written, and a refusal names
// every wrong row, column and value with the rule it breaks (spec/cli.md,
// "catalog import"). Each row is parsed once and signed once, on every
// core; the records are then admitted without parsing or verifying them
// again (catalog.AdmitMade), so that 100,000 rows take seconds.
//
// publish imports catalog, never tui or cmd.
package publish
