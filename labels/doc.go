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
// # Shelf labels
//
// Make turns a judged catalog.Result into a Label: brand and model, the
// headline — the support end at the precision the manufacturer declared
// ("Security updates until August 2032"; "Security updates ended in …"
// when the policy lets an ended product be sold) — the password policy
// and the disclosure contact in plain words, a QR code of the contact in
// ASCII (punycode) form, the price (FormatPrice: pounds and pence up to
// £99,999.99, nothing else), and a footer with the day of the check and
// the catalog's size; DEMO on labels from the demo catalog. A product
// whose verdict is STOP or CHECK gets no label: Make returns a
// *RefusedError with the staff reasons, since a shelf label tells
// shoppers a product may be sold.
//
// Layout places a label on a given size for a shopper at arm's length
// (DesignFor): the headline is the largest text, at least 10 pt on a
// 38.1 mm high label and 14 pt from 67.7 mm; the price has one size on
// every label of a template; the QR code (level M, modules of at least
// 0.4 mm, four-module quiet zone) is captioned "Report a security
// problem". The product barcode (EAN-13 for a GTIN-13, UPC-A for a
// GTIN-12, ITF-14 for a GTIN-14 with an indicator digit, GS1-128
// otherwise) is printed at GS1's minimum X-dimension for retail POS,
// 0.264 mm, with bars at full height for that X (never truncated) and
// quiet zones of 11X and 7X for EAN-13. A product name too long for its
// line is shortened with "…"; when the rest does not fit, the password
// line goes first, then the contact line, never the headline, a note or
// the price. A label that still does not fit is refused alone
// (*LayoutError): LayoutAll, Output.Layout and Print make the others.
// The same Drawing becomes a PDF sheet (WritePDF: every symbol one filled
// vector path, so no seam shows between bars), ZPL for 203 or 300 dpi
// thermal printers (WriteZPL: the printer's own barcode commands,
// modules in whole dots, every text field hex-escaped) or a PNG preview
// (WritePNG).
//
// Sheets: the built-in templates avery-l7160, avery-l7163, avery-l7165
// (A4) and roll-102x51, roll-76x51 (thermal rolls), or any gLabels
// template by name ("Avery L7161") when gLabels' template files are
// installed (FindTemplate reads them with encoding/xml).
//
// # Printers
//
// OpenPrinter reads a printer URI:
//
//	socket://HOST:PORT   raw TCP, as printers listen on port 9100 (JetDirect); for ZPL
//	/dev/usb/lp0         a device file (any absolute path); never created
//	file:PATH            a file, created if needed and appended to (for tests and previews)
//	cups:QUEUE           a CUPS queue, through the lp command; cups:QUEUE@HOST:PORT for another server
//	ipp://HOST[:PORT]/PATH  an IPP printer (IPP Print-Job, RFC 8010/8011, over HTTP); ipps:// over TLS
//
// A Printer sends finished bytes; it knows nothing of what they say, so one
// transport serves receipts and labels alike. IPP and CUPS printers also
// take a named Job with its format and return the printer's job id, and
// can find a job by name (JobFinder): after a connection drops mid-job
// (ErrMaybePrinted) a retry asks the printer before sending again, so
// that nothing prints twice. A printer that is busy is asked again.
//
// # Spool and journal
//
// Print puts every label job in a Spool (a directory: smartcheck uses
// $XDG_STATE_HOME/smartcheck/labels) before sending it. A job is named by
// a hash of its printer and its bytes, so the same labels for the same
// printer are one job: once a printer has taken it, it is not sent again
// unless a copy is asked for. A job a printer did not take stays, with
// the reason, until Spool.Deliver sends it. When a printer takes a job,
// the journal (journal.jsonl) gets what each of its labels said, with the
// item it was made for, so that a later run can make each label again
// and print only those whose text changed.
package labels
