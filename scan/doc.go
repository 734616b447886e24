// Package scan turns what a scanner, a camera or a person typed into a product
// code: a GTIN-14 and, when the barcode carried them, a batch, a serial and an
// expiry date. One parser serves the till, the kiosk, `smartcheck lookup` and
// `smartcheck scan`; it follows ../shared/spec/scanning.md and the GS1 General
// Specifications, and refuses what is not a product code with an error that
// says why rather than guessing.
package scan
