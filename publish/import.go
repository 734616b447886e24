package publish

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// Problem is one wrong value of an import file: where it is, what it
// holds, and the rule it breaks.
type Problem struct {
	Row    int    // the spreadsheet row (the header is row 1), or the JSON Lines line
	Column string // the spreadsheet column (A, B, ...), or "" in JSON Lines or for the whole row
	Key    string // the declaration key, when known
	Value  string
	Rule   string
	json   bool
}

func (p Problem) String() string {
	var b strings.Builder
	if p.json {
		fmt.Fprintf(&b, "line %d", p.Row)
		if p.Key != "" {
			fmt.Fprintf(&b, ", key %s", p.Key)
		}
	} else {
		fmt.Fprintf(&b, "row %d", p.Row)
		switch {
		case p.Column != "" && p.Key != "":
			fmt.Fprintf(&b, ", column %s (%s)", p.Column, p.Key)
		case p.Column != "":
			fmt.Fprintf(&b, ", column %s", p.Column)
		case p.Key != "":
			fmt.Fprintf(&b, ", %s", p.Key)
		}
	}
	if p.Value != "" {
		fmt.Fprintf(&b, ", value %q", clipValue(p.Value))
	}
	b.WriteString(": ")
	b.WriteString(p.Rule)
	return b.String()
}

// Problems collects the problems of one import file, at most
// maxFileErrors of them, counting the rest.
type Problems struct {
	mu    sync.Mutex
	List  []Problem
	Wrong int // how many problems were found in all
}

func (ps *Problems) add(p Problem) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.Wrong++
	if len(ps.List) < maxFileErrors {
		ps.List = append(ps.List, p)
	}
}

// sort orders the problems by row.
func (ps *Problems) sort() {
	slices.SortStableFunc(ps.List, func(a, b Problem) int { return a.Row - b.Row })
}

// ImportError is an import refused: every problem found (the first
// maxFileErrors of them), and nothing written.
type ImportError struct {
	Problems []Problem
	Wrong    int // problems found in all, with those not listed
	Rows     int
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("%d problems in %d rows", e.Wrong, e.Rows)
}

// Import is the outcome of checking an import file against a catalog.
type Import struct {
	Batch *catalog.Batch
	Rows  int
}

// Check reads an import file (CSV or JSON Lines), turns each row into a
// smartcheck-declaration/1, signs it with maker and checks every record
// as catalog append would after the catalog c (catalog.AdmitMade): the
// signer's scope must cover each GTIN, no record may be in the catalog
// already. It also refuses, as mistakes of a spreadsheet, a GTIN listed
// in two rows and a declaration id and version the catalog (or another
// row) already has with other content. Each row is parsed once, and the
// rows are made on every core. Any problem refuses the whole file: an
// *ImportError names each.
func Check(r io.Reader, format Format, c *catalog.Catalog, maker *catalog.Maker) (*Import, error) {
	problems := &Problems{}
	var rows []row
	var err error
	switch format {
	case JSONL:
		rows, err = readJSONL(r, problems)
	default:
		rows, err = readCSV(r, problems)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 && problems.Wrong == 0 {
		return nil, errors.New("no rows to import")
	}
	made := make([]catalog.Made, len(rows))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body []byte
			var lines []int
			for i := w; i < len(rows); i += workers {
				made[i], body, lines = makeRow(rows[i], maker, problems, body[:0], lines[:0])
			}
		}()
	}
	wg.Wait()
	checkGTINsOnce(rows, problems)
	// Rows that made a record are checked as append checks them even
	// when others are wrong, so that one pass names every problem.
	var good []int
	var some []catalog.Made
	for i, m := range made {
		if m.Rec != nil {
			good, some = append(good, i), append(some, m)
		}
	}
	b, err := catalog.AdmitMade(c, c.Trust, some)
	var re *catalog.RefusedError
	if errors.As(err, &re) {
		for _, f := range re.Refused {
			refusal(rows[good[f.N]], f, problems)
		}
		return nil, problems.err(len(rows))
	}
	if err != nil {
		return nil, err
	}
	if problems.Wrong > 0 {
		return nil, problems.err(len(rows))
	}
	checkVersions(b, rows, made, c.Size(), problems)
	if problems.Wrong > 0 {
		return nil, problems.err(len(rows))
	}
	return &Import{Batch: b, Rows: len(rows)}, nil
}

func (ps *Problems) err(rows int) error {
	ps.sort()
	return &ImportError{Problems: ps.List, Wrong: ps.Wrong, Rows: rows}
}

// makeRow writes a row's declaration body, and makes (parses and signs)
// it. lines[k] is the cell that wrote line k+2 of the body, so that a
// syntax error names its cell.
func makeRow(r row, maker *catalog.Maker, problems *Problems, body []byte, lines []int) (catalog.Made, []byte, []int) {
	var bad func(c cell, rule string)
	ok := true
	count := map[string]int{}
	bad = func(c cell, rule string) {
		problems.add(r.problem(c, rule))
		count[c.key]++ // reported: not also missing
	}
	body = append(body, catalog.KindDeclaration+"\n"...)
	for k, c := range r.cells {
		if strings.ContainsAny(c.value, "\r\n") {
			bad(c, "a line break in a value: give several values of a repeatable key as an array")
			ok = false
			continue
		}
		if c.key == "gtin" {
			g, why := normalGTIN(c.value)
			if why != "" {
				bad(c, why)
				ok = false
				continue
			}
			c.value = g
		}
		if _, _, repeat := catalog.DeclarationKey(c.key); !repeat && count[c.key] > 0 {
			bad(c, fmt.Sprintf("a second %s value (a line of its own in the cell?): a declaration has one %s", c.key, c.key))
			ok = false
			continue
		}
		count[c.key]++
		body = append(body, c.key...)
		body = append(body, ' ')
		body = append(body, c.value...)
		body = append(body, '\n')
		lines = append(lines, k)
	}
	for _, k := range requiredKeys {
		if count[k] == 0 {
			problems.add(Problem{Row: r.n, Key: k, Rule: "empty, and every declaration needs a " + k, json: r.json(), Column: r.columnOf(k)})
			ok = false
		}
	}
	if !ok {
		return catalog.Made{}, body, lines
	}
	m, err := maker.Make(body)
	var se *catalog.SyntaxError
	switch {
	case errors.As(err, &se) && se.Line >= 2 && se.Line-2 < len(lines):
		bad(r.cells[lines[se.Line-2]], se.Msg)
	case err != nil:
		problems.add(Problem{Row: r.n, Rule: err.Error(), json: r.json()})
	}
	return m, body, lines
}

// requiredKeys are the keys every declaration has.
var requiredKeys = func() []string {
	var out []string
	for _, k := range catalog.DeclarationKeys() {
		if _, required, _ := catalog.DeclarationKey(k); required {
			out = append(out, k)
		}
	}
	return out
}()

func (r row) json() bool { return len(r.cells) > 0 && r.cells[0].col < 0 }

func (r row) problem(c cell, rule string) Problem {
	p := Problem{Row: r.n, Key: c.key, Value: c.value, Rule: rule, json: c.col < 0}
	if c.col >= 0 {
		p.Column = ColumnName(c.col)
	}
	return p
}

// columnOf names the first column of key in the row, if it has one.
func (r row) columnOf(key string) string {
	for _, c := range r.cells {
		if c.key == key && c.col >= 0 {
			return ColumnName(c.col)
		}
	}
	return ""
}

// normalGTIN reads a GTIN cell: digits (spaces removed), GTIN-8, -12
// and -13 padded to 14 digits. The check digit is the parser's to check.
func normalGTIN(v string) (string, string) {
	g := strings.ReplaceAll(v, " ", "")
	for i := 0; i < len(g); i++ {
		if g[i] < '0' || g[i] > '9' {
			if strings.ContainsAny(g, "Ee") && strings.ContainsAny(g, ".,+") {
				return "", "a number in scientific notation, not a GTIN: format the column as Text in the spreadsheet and type the GTIN again"
			}
			return "", "not a GTIN: a GTIN is 8, 12, 13 or 14 digits"
		}
	}
	switch len(g) {
	case 8, 12, 13:
		return strings.Repeat("0", 14-len(g)) + g, ""
	case 14:
		return g, ""
	case 9, 10, 11:
		// A spreadsheet that read the GTIN as a number dropped its
		// leading zeros: a GTIN-12 or -13 written with zeros lost.
		return strings.Repeat("0", 14-len(g)) + g, ""
	}
	return "", fmt.Sprintf("%d digits: a GTIN has 8, 12, 13 or 14", len(g))
}

// checkGTINsOnce refuses a GTIN listed in two rows: a spreadsheet lists
// a product once, and two declarations at once for one product are a
// mistake (a new version goes in a later import).
func checkGTINsOnce(rows []row, problems *Problems) {
	first := make(map[string]int, len(rows))
	for _, r := range rows {
		for _, c := range r.cells {
			if c.key != "gtin" {
				continue
			}
			g, why := normalGTIN(c.value)
			if why != "" {
				continue
			}
			if n, ok := first[g]; ok && n != r.n {
				problems.add(r.problem(c, fmt.Sprintf("GTIN %s is in row %d too: list each product once", g, n)))
				continue
			}
			first[g] = r.n
		}
	}
}

// refusal reports a record catalog.AdmitMade refused, by its row and,
// for a GTIN the signer may not sign for, by its cell.
func refusal(r row, f catalog.Refusal, problems *Problems) {
	for _, c := range r.cells {
		if c.key != "gtin" {
			continue
		}
		g, _ := normalGTIN(c.value)
		if slices.Contains(f.GTINs, g) {
			problems.add(r.problem(c, f.Why))
			return
		}
	}
	problems.add(Problem{Row: r.n, Key: f.Name, Rule: f.Why, json: r.json()})
}

// checkVersions refuses a declaration whose id and version another
// record listing one of its GTINs already has: a new version of a
// declaration needs a new version number, or tills would hold two
// different texts of one version.
func checkVersions(b *catalog.Batch, rows []row, made []catalog.Made, base int64, problems *Problems) {
	x := b.Catalog()
	for n, m := range made {
		d := m.Rec.Declaration
		for _, g := range d.GTINs {
			for _, de := range x.Evidence(g).Declarations {
				if de.Index == base+int64(n) || de.Declaration.ID != d.ID || de.Declaration.Version != d.Version {
					continue
				}
				where := fmt.Sprintf("is in the catalog already, as record %d", de.Index)
				if de.Index >= base {
					where = fmt.Sprintf("is in row %d too", rows[de.Index-base].n)
				}
				problems.add(Problem{Row: rows[n].n, Key: "version", Column: rows[n].columnOf("version"), Value: fmt.Sprint(d.Version),
					Rule: fmt.Sprintf("declaration %s version %d %s, with other content: give this one the next version number", d.ID, d.Version, where), json: rows[n].json()})
				goto next
			}
		}
	next:
	}
}
