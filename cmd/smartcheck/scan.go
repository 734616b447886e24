package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"strings"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// scanResult and scanReport are the JSON of `smartcheck scan --json`
// (../shared/spec/cli.md): one report per image per line.
type scanResult struct {
	Format    string `json:"format"`
	Text      string `json:"text"`
	Symbology string `json:"symbology"`
	GTIN      string `json:"gtin,omitempty"`
	Batch     string `json:"batch,omitempty"`
}

type scanReport struct {
	File    string       `json:"file"`
	Results []scanResult `json:"results"`
}

type scanError struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// scan decodes the barcodes in image files:
//
//	smartcheck scan [--json] IMAGE...
//
// Each IMAGE is a PNG, JPEG or GIF file. Without --json it prints one
// line per barcode, FILE<TAB>FORMAT<TAB>TEXT, FORMAT as EAN_13, UPC_A,
// UPC_E, EAN_8, CODE_128, ITF, QR_CODE, DATA_MATRIX or AZTEC. TEXT is
// made safe for a terminal: a control character is shown as its Unicode
// control picture (the GS that separates GS1 elements as ␝, a line break
// as ␍␊) and other invisible or bidirectional characters as U+FFFD; use
// --json for the exact text. With --json it prints one object per image
// per line, {"file": ..., "results": [...]}, each result with format,
// text (exact), symbology (the AIM identifier, which `smartcheck lookup`
// needs to read a UPC-E or a GS1 element string: "]E0" + text) and, when
// the barcode carries a product code, gtin and batch. An image that
// cannot be read gets {"file": ..., "error": ...}.
//
// Without --json, an image with no barcode is named on standard error
// ("smartcheck: FILE: no barcode found"), so that finding nothing is not
// silence; --json says so in its results.
//
// Exit status 0 when every file could be read, whether or not it held a
// barcode; 1 otherwise, each failure on standard error as
// `smartcheck: FILE: why`; 2 for a usage error.
func (e *env) scan(args []string) error {
	fs := e.newFlags("scan", "[--json] IMAGE...")
	asJSON := fs.Bool("json", false, "one JSON object per image per line")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	enc := json.NewEncoder(jsonSafeWriter{e.stdout})
	enc.SetEscapeHTML(false)
	dec := scan.NewDecoder(scan.Options{})
	bad, empty := 0, 0
	for _, file := range files {
		img, err := readImage(file)
		if err != nil {
			bad++
			e.errorf("%s: %v", file, err)
			if *asJSON {
				if err := enc.Encode(scanError{File: file, Error: err.Error()}); err != nil {
					return err
				}
			}
			continue
		}
		results := dec.Decode(img)
		if *asJSON {
			rep := scanReport{File: file, Results: []scanResult{}}
			for _, r := range results {
				sr := scanResult{Format: r.Format, Text: r.Text, Symbology: r.Symbology}
				if r.Code != nil {
					sr.GTIN, sr.Batch = r.Code.GTIN, r.Code.Batch
				}
				rep.Results = append(rep.Results, sr)
			}
			if err := enc.Encode(rep); err != nil {
				return err
			}
			continue
		}
		if len(results) == 0 {
			// Not an error (exit status 0), but not silence either.
			fmt.Fprintf(e.stderr, "smartcheck: %s: no barcode found\n", visible(file))
			empty++
		}
		for _, r := range results {
			if _, err := fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", visible(file), r.Format, visible(r.Text)); err != nil {
				return err
			}
		}
	}
	if empty > 0 {
		e.hintf("a photo must show the whole barcode, sharp and flat, across a good part of the picture")
	}
	if bad > 0 {
		return exitError(1)
	}
	return nil
}

// readImage decodes a PNG, JPEG or GIF file, refusing one whose pixels
// would take more than scan.MaxFileBytes: a small file can claim to be a
// huge image (a decompression bomb), and the decoder would allocate it.
func readImage(name string) (image.Image, error) {
	img, err := scan.ReadImageFile(name, scan.MaxFileBytes)
	if err != nil {
		return nil, bare(err)
	}
	return img, nil
}

// bare drops the file name from a file-system error: the message already
// starts with it.
func bare(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

// visible makes decoded text, or a file name, safe and visible on one
// terminal line: C0 control characters and DEL become their Unicode
// control pictures (U+2400-U+2421), which show what the barcode holds,
// and the rest goes through the catalog's sanitiser.
func visible(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return 0x2421
		}
		return r
	}, s)
	return catalog.Sanitize(s)
}
