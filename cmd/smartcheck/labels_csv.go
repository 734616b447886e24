package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/smartcheck-uk/smartcheck/labels"
	"github.com/smartcheck-uk/smartcheck/scan"
)

// readItems reads a labels CSV: one product a row, GTIN first, then
// optionally price, batch and shelf location. A first row naming its
// columns (gtin, price, batch, shelf or location, in any order) is a
// header. The GTIN may be any form of the scanning spec (a GTIN-8, -12,
// -13 or -14, an element string, a Digital Link); a batch it carries
// counts unless the batch column gives one. Rows that cannot be read are
// returned as errors naming the line; the others are kept.
func readItems(name string, r io.Reader) ([]labels.Item, []error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	col := map[string]int{"gtin": 0, "price": 1, "batch": 2, "shelf": 3}
	var items []labels.Item
	var errs []error
	for first := true; ; first = false {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", name, err))
			if _, ok := err.(*csv.ParseError); ok {
				continue
			}
			break
		}
		if first && isHeader(row) {
			col = map[string]int{}
			for i, h := range row {
				switch h := strings.ToLower(strings.TrimSpace(h)); h {
				case "gtin", "price", "batch", "shelf":
					col[h] = i
				case "location", "shelf location", "shelf-location":
					col["shelf"] = i
				}
			}
			if _, ok := col["gtin"]; !ok {
				errs = append(errs, fmt.Errorf("%s line %d: the header has no gtin column", name, line))
				return nil, errs
			}
			continue
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		code := get("gtin")
		if code == "" && len(row) == 1 {
			continue // a blank line
		}
		c, err := scan.Parse(code)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s line %d: %q is not a product code: %v", name, line, code, err))
			continue
		}
		it := labels.Item{GTIN: c.GTIN, Batch: c.Batch, Price: get("price"), Shelf: get("shelf")}
		if b := get("batch"); b != "" {
			it.Batch = b
		}
		if _, err := labels.FormatPrice(it.Price); err != nil {
			errs = append(errs, fmt.Errorf("%s line %d: %v", name, line, err))
			continue
		}
		items = append(items, it)
	}
	return items, errs
}

func isHeader(row []string) bool {
	for _, h := range row {
		if strings.EqualFold(strings.TrimSpace(h), "gtin") {
			return true
		}
	}
	return false
}
