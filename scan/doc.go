// Package scan turns what a scanner, a camera or a person typed into a product
// code: a GTIN-14 and, when the barcode carried them, a batch, a serial and an
// expiry date. One parser serves the till, the kiosk, `smartcheck lookup` and
// `smartcheck scan`; it follows ../shared/spec/scanning.md and the GS1 General
// Specifications, and refuses what is not a product code with an error that
// says why rather than guessing.
//
// A wrong product code is worse than none: a verdict about the wrong product
// may tell a customer that an unsafe device is compliant. So the parser
// checks each value as strictly as GS1's own Barcode Syntax Engine does, and
// never repairs its input.
//
// # Forms
//
// [Parse] reads one scan, less the CR, LF or Tab a scanner sends at its end.
// The scan is one of the following.
//
// A GTIN of 8, 12 (UPC-A), 13 (EAN-13) or 14 digits, its GS1 mod-10 check
// digit right ([ValidCheckDigit]). It is stored left-padded with zeros to 14
// digits: 9520000000011 becomes 09520000000011.
//
// A scan prefixed by an AIM symbology identifier (ISO/IEC 15424), which says
// how the rest is read:
//
//	]E0                   EAN-13 or UPC-A (13 digits, or UPC-A's 12), or UPC-E (8 digits)
//	]E4                   EAN-8 (8 digits)
//	]E3                   EAN-13 or UPC-A with a 2- or 5-digit add-on, which is dropped
//	]I0 ]I1               ITF-14 (14 digits), which carries a GTIN-14
//	]C1 ]e0 ]d2 ]Q3 ]J1   a GS1 element string: GS1-128, GS1 DataBar, GS1 DataMatrix,
//	                      GS1 QR Code, GS1 DotCode
//	]Q1 ]d1 ]C0 ]z0 ]J0   plain text, which must be a GS1 Digital Link URI or a GTIN
//
// Other identifiers are refused, as are add-ons on their own (]E1, ]E2).
// A UPC-E code (number system 0 or 1, six digits, check digit) is expanded
// to the UPC-A it stands for by the zero-suppression rules of the GS1
// General Specifications, and its check digit is that of the UPC-A: ]E001234565 is UPC-A
// 012345000065, GTIN 00012345000065. Without a symbology identifier, 8
// digits are an EAN-8: the two cannot be told apart, so a UPC-E must come
// with ]E0.
//
// A GS1 element string: AIs and their values run together, as
// "0109520000000011" "10B2402" GS "21X1". An AI with a predefined length (01,
// 17, ...) needs no separator after its value, though one is tolerated; any
// other AI's value runs to the next GS (byte 0x1D, which stands for FNC1) or
// to the end. A GS in first position, as a GS1 DataMatrix decoder sends, is
// skipped. After a GS1 symbology identifier, "~" also stands for GS, for
// scanners set to send a printable stand-in; elsewhere "~" is an error (it is
// in none of GS1's character sets, so it cannot be data). Without a
// symbology identifier, as scanners configured without AIM prefixes send it,
// a scan is read as an element string when it starts with a GS, or with AI
// 01 or 02 and is not a plain GTIN.
//
// A bracketed element string, the human-readable form printed under GS1
// barcodes: (01)09520000000011(10)B2402. A "(" inside a value is written
// "\(". Values are checked as in an element string.
//
// A GS1 Digital Link URI, http or https, any host and any path before the
// key: https://id.gs1.org/01/09520000000011/10/B2402?17=281231. Walking back
// from the end of the path in AI/value pairs, the first GS1 primary key found
// (the rightmost) starts the key; what comes before it is the stem. A GTIN of
// 13, 12 or 8 digits in the URI is padded to 14. Values are percent-decoded
// ("+" is a space in the query only), and a malformed escape is an error.
// After the key, the path may hold only the key's qualifiers, in their
// defined order: for a GTIN, some of 22, 10, 21 in that order, or 235. Data
// attributes are query parameters named by an AI (?17=281231), and only the
// AIs GS1 permits as attributes. Other query parameters (linkType and the
// like) and the fragment are ignored. No AI may appear twice, no value may be
// empty, and the deprecated alphabetic names (/gtin/, /lot/) are not
// accepted.
//
// # What every element must satisfy
//
// Every AI is looked up in the GS1 Barcode Syntax Dictionary (transcribed in
// aitable.go): an AI not in it is an error, "unknown AI (236)". Each value is
// checked as GS1's syntax engine checks it: its length; its character set
// (digits, GS1 set 82, set 39, or set 64); the check digit of GTINs, SSCCs,
// GLNs and the other numeric keys; the check character pair of GMNs; dates
// (YYMMDD with a real month and day; day 00, "end of month", only where the
// dictionary allows it, as for 11, 13, 15, 16 and 17); times; ISO country and
// currency codes; and the other content rules the dictionary names. A batch
// (10) or serial (21) is 1 to 20 characters of set 82. Only the coupon AIs
// 8110 and 8112 are checked no further than length and character set: a
// coupon is never a product code.
//
// The elements are then checked together: an AI repeated in an element
// string must repeat its value (in a Digital Link it may not repeat at all),
// and the pairs GS1 forbids (01 with 02, 01 with 37, two net weights) are
// refused. The dictionary's required companions (02 needs 37, 250 needs 21)
// are not enforced: GS1 asks that they be judged over all the barcodes on an
// item together, and a scan is one barcode. A logistic label prints its SSCC
// in one symbol and the (02)(37) of its contents in another, and GS1's
// syntax engine documentation says to turn the check off for scan data for
// that reason. A forbidden pair, by contrast, is wrong in any one symbol.
//
// # What is refused
//
// Anything else. In particular: a wrong check digit; an unknown AI; a value
// too long, too short or with a character outside its set; a truncated
// element string; control characters other than GS and a trailing
// CR/LF/Tab; a scan longer than [MaxLen]; an unsupported symbology
// identifier, or data that does not fit the symbology it claims. A well-formed GS1 code with no GTIN, an SSCC on a
// pallet or a GLN, is refused with "not a product code: no GTIN": AI 01 (or
// 02, the GTIN of the contents of a logistic unit) must be present.
//
// Every error is an [*Error], whose message says what was wrong in lower
// case, without a prefix ("bad check digit in GTIN 9520000000012: want 1,
// got 2"), and which records where in the input the problem is.
//
// # Images
//
// A [Decoder] reads every code a look at an image finds and returns those
// that carry a product code first ([Result.Code]; [Result.Err] says why
// another carries none): a box, or a shelf label, may hold a QR code of a
// web page beside its barcode, and the product code is what a scan is for.
// From a camera, a [Confirmer] believes a code read in several consecutive
// frames, and reports a code without a product code only from frames that
// hold no product code; a still image (a photo of a directory) counts as
// all of those frames at once.
//
// No image is decoded before its header is read: [DecodeImage],
// [ReadImageFile], [DecodeMJPEG] and the frames of every [Source] work out
// width × height × bytes per pixel as decoded and refuse, with a
// [*TooLargeError], more than [MaxFrameBytes] for a camera frame or
// [MaxFileBytes] for a file, so that a few hundred bytes declaring 65535×65535
// pixels cannot exhaust memory.
package scan
