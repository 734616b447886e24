package publish

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// A row is one product of an import file: a CSV row or a JSON Lines
// object, as key, value cells in the order given.
type row struct {
	n     int // the spreadsheet's row number (the header is row 1), or the JSON Lines line number
	cells []cell
}

// A cell is one value of a row. A CSV cell with several lines gives one
// cell per line, each naming the same column.
type cell struct {
	col   int    // CSV column from 0; -1 in JSON Lines
	key   string // the declaration key
	value string
}

// Format is how an import file is written.
type Format int

const (
	CSV   Format = iota // a spreadsheet saved as CSV, header row first
	JSONL               // JSON Lines: one object per line
)

// FormatOf chooses the format by the file name's extension.
func FormatOf(name string) (Format, error) {
	switch {
	case hasSuffixFold(name, ".csv"):
		return CSV, nil
	case hasSuffixFold(name, ".jsonl"), hasSuffixFold(name, ".ndjson"):
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: want a .csv or .jsonl file", name)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// ColumnName is a spreadsheet's name for column i (from 0): A, B, ... Z,
// AA, AB, ...
func ColumnName(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// maxFileErrors caps the problems one import reports: past it a file is
// wrong in some wholesale way (a wrong column, a wrong export) that the
// first ones show.
const maxFileErrors = 100

// readCSV reads a spreadsheet saved as CSV (spec/cli.md, `catalog
// import`): UTF-8 with or without a byte order mark, CRLF or LF, quoted
// cells with line breaks. The header row names declaration keys; a
// repeatable key may head several columns, and a cell may hold several
// values, one a line. Cells are trimmed of spaces; empty ones are absent.
func readCSV(r io.Reader, problems *Problems) ([]row, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if line, _, _ := bytes.Cut(first, []byte("\n")); !bytes.Contains(line, []byte(",")) && bytes.Contains(line, []byte(";")) {
		cr.Comma = ';' // a spreadsheet set to a locale whose list separator is ;
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: want a header row of declaration keys, then a row per product")
	}
	if err != nil {
		return nil, csvError(err)
	}
	keys, err := headerKeys(header)
	if err != nil {
		return nil, err
	}
	var rows []row
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		r := row{n: n, cells: make([]cell, 0, len(rec))}
		empty := true
		for i, v := range rec {
			if i >= len(keys) || keys[i] == "" {
				if strings.TrimSpace(v) != "" {
					problems.add(Problem{Row: n, Column: ColumnName(i), Value: v, Rule: "a value in a column with no key in the header row"})
				}
				continue
			}
			if !utf8.ValidString(v) {
				problems.add(Problem{Row: n, Column: ColumnName(i), Key: keys[i], Value: strings.ToValidUTF8(v, "?"), Rule: "not UTF-8 text (save the spreadsheet as \"CSV UTF-8\")"})
				continue
			}
			for line := range strings.SplitSeq(v, "\n") {
				line = strings.Trim(line, " \t\r")
				if line != "" {
					r.cells = append(r.cells, cell{i, keys[i], line})
					empty = false
				}
			}
		}
		if !empty {
			rows = append(rows, r)
		}
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("row starting on line %d, column %s: %v", pe.StartLine, ColumnName(pe.Column-1), pe.Err)
	}
	return err
}

// headerKeys checks the header row: each non-empty cell a declaration
// key, a key that does not repeat in one column only, and a column for
// every key every declaration needs. Empty header cells are columns to
// ignore (a spreadsheet's trailing ones), if their cells are empty too.
func headerKeys(header []string) ([]string, error) {
	keys := make([]string, len(header))
	first := map[string]int{}
	var errs []string
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if k == "" {
			continue
		}
		known, _, repeat := catalog.DeclarationKey(k)
		switch j, seen := first[k]; {
		case !known:
			errs = append(errs, fmt.Sprintf("column %s: %q is not a declaration key (spec/catalog.md, smartcheck-declaration/1; docs/import-template.csv has every one)", ColumnName(i), clipValue(h)))
		case seen && !repeat:
			errs = append(errs, fmt.Sprintf("column %s: %s heads column %s too, and a declaration has one %s", ColumnName(i), k, ColumnName(j), k))
		case !seen:
			first[k] = i
		}
		keys[i] = k
	}
	for _, k := range requiredKeys {
		if _, ok := first[k]; !ok {
			errs = append(errs, fmt.Sprintf("no %s column, and every declaration needs one", k))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("header row: %s", strings.Join(errs, "; "))
	}
	return keys, nil
}

// readJSONL reads JSON Lines: on each line an object whose values are
// strings or arrays of strings, keyed by declaration keys. Blank lines
// are skipped.
func readJSONL(r io.Reader, problems *Problems) ([]row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	var rows []row
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r, err := jsonRow(n, line)
		if err != nil {
			problems.add(*err)
			continue
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line after %d: %w", len(rows), err)
	}
	return rows, nil
}

// jsonRow reads one JSON Lines object, keeping its keys' order and
// refusing a key given twice (encoding/json would keep the last quietly).
func jsonRow(n int, line []byte) (row, *Problem) {
	bad := func(key, value, rule string) (row, *Problem) {
		return row{}, &Problem{Row: n, Key: key, Value: value, Rule: rule, json: true}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return bad("", string(line), "not a JSON object")
	}
	r := row{n: n}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return bad("", string(line), "not valid JSON: "+err.Error())
		}
		key := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return bad(key, "", "not valid JSON: "+err.Error())
		}
		if known, _, _ := catalog.DeclarationKey(key); !known {
			return bad(key, string(raw), "not a declaration key (spec/catalog.md, smartcheck-declaration/1)")
		}
		if seen[key] {
			return bad(key, string(raw), "key given twice in one object: give a repeatable key's values as an array")
		}
		seen[key] = true
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			many = []string{one}
		case json.Unmarshal(raw, &many) == nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")):
		default:
			rule := "want a string or an array of strings"
			if _, err := strconv.ParseFloat(string(raw), 64); err == nil {
				rule += fmt.Sprintf(" (write \"%s\", in quotes)", raw)
			}
			return bad(key, string(raw), rule)
		}
		for _, v := range many {
			r.cells = append(r.cells, cell{-1, key, v})
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad("", string(line), "not valid JSON: "+err.Error())
	}
	if dec.More() {
		return bad("", string(line), "more than one JSON value on the line")
	}
	return r, nil
}

// clipValue keeps a quoted value short in a message.
func clipValue(s string) string {
	if len(s) <= 60 {
		return s
	}
	n := 60
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
