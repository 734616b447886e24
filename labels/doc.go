// Package labels lays out what smartcheck prints about a product — shelf
// labels and the shopper's receipt slip — and sends it to printers.
//
// Everything printed comes from a judged catalog result, and every
// catalog string goes through catalog.Sanitize and then the printer's own
// encoding, so untrusted text can never become a printer command: a
// control byte in a catalog string is printed as "?".
//
// # Receipts
//
// Receipt.ESCPOS renders the shopper's summary of one check (verdict,
// product, support end, disclosure contact, password policy) as ESC/POS
// commands for a thermal receipt printer, with a QR code of the contact:
// the printer's own QR command (GS ( k) by default, or a raster image
// (GS v 0) for printers that lack it. Text is sent in code page WPC1252
// (ESC t 16), which covers English and Western European names.
//
// # Printers
//
// OpenPrinter reads a printer URI:
//
//	socket://HOST:PORT   raw TCP, as printers listen on port 9100 (JetDirect)
//	/dev/usb/lp0         a device file (any absolute path); never created
//	file:PATH            a file, created if needed and appended to (for tests and previews)
//
// A Printer sends finished bytes; it knows nothing of what they say, so one
// transport serves receipts and labels alike.
package labels
