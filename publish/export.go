package publish

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// ExportColumns are the columns of `catalog export --format csv`, in
// order (README, "Exporting a catalog"). Each is a field of the JSON
// object `lookup --json` prints for the GTIN, which is what
// `--format jsonl` writes a line of.
var ExportColumns = []string{
	"gtin", "verdict", "brand", "model", "model_number", "category",
	"declaration_id", "declaration_version", "signer", "signer_org", "signer_role",
	"support_until", "support_last_day", "days_left", "contact", "passwords",
	"findings", "reasons",
}

// exportBatch is how many GTINs a worker judges at a time.
const exportBatch = 512

// Export writes every GTIN of the catalog (catalog.GTINs) with its
// verdict as of today, its chosen declaration and its findings, in GTIN
// order, as CSV or JSON Lines. It streams: GTINs are judged a batch at a
// time on every core, each batch written in turn, and nothing read is
// kept (catalog.Lookup). It returns the number of GTINs written.
func Export(w io.Writer, c *catalog.Catalog, format Format, today catalog.Date, policy catalog.Policy) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	if format == CSV {
		// The byte order mark makes Excel read the file as UTF-8.
		bw.WriteString("\xEF\xBB\xBF")
		if err := writeCSV(bw, [][]string{ExportColumns}); err != nil {
			return 0, err
		}
	}
	type job struct {
		gtins []string
		out   chan []byte
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, workers)
	order := make(chan job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- exportRows(c, j.gtins, format, today, policy)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(jobs)
		defer close(order)
		var gtins []string
		send := func() bool {
			j := job{gtins, make(chan []byte, 1)}
			select {
			case order <- j:
			case <-done:
				return false
			}
			jobs <- j
			gtins = nil
			return true
		}
		for g := range c.GTINs {
			gtins = append(gtins, g)
			if len(gtins) == exportBatch && !send() {
				return
			}
		}
		if len(gtins) > 0 {
			send()
		}
	}()
	n := 0
	var err error
	for j := range order {
		b := <-j.out
		if err == nil {
			if _, err = bw.Write(b); err != nil {
				close(done)
			}
			n += len(j.gtins)
		}
	}
	wg.Wait()
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// exportRows judges a batch of GTINs and writes their rows.
func exportRows(c *catalog.Catalog, gtins []string, format Format, today catalog.Date, policy catalog.Policy) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	var rows [][]string
	for _, g := range gtins {
		r := c.Lookup(catalog.Query{GTIN: g, Today: today, Policy: policy})
		rep := r.Report(g, nil)
		if format == JSONL {
			enc.Encode(rep)
			continue
		}
		rows = append(rows, exportRow(rep))
	}
	if format == CSV {
		writeCSV(&buf, rows)
	}
	return buf.Bytes()
}

// exportRow flattens a report into ExportColumns.
func exportRow(rep catalog.Report) []string {
	row := make([]string, 0, len(ExportColumns))
	row = append(row, rep.GTIN, rep.Verdict.String())
	if p := rep.Product; p != nil {
		row = append(row, p.Brand, p.Model, p.ModelNumber, p.Category)
	} else {
		row = append(row, "", "", "", "")
	}
	if d := rep.Declaration; d != nil {
		row = append(row, d.ID, strconv.Itoa(d.Version), d.Signer, d.Org, d.Role)
	} else {
		row = append(row, "", "", "", "", "")
	}
	if s := rep.Support; s != nil {
		days := ""
		if !s.Beyond {
			days = strconv.Itoa(s.DaysLeft)
		}
		row = append(row, s.Until, s.LastDay, days)
	} else {
		row = append(row, "", "", "")
	}
	row = append(row, rep.Contact, rep.Passwords)
	var codes, reasons []string
	for _, f := range rep.Findings {
		code := f.Code
		if f.Excepted {
			code += " (excepted)"
		}
		codes = append(codes, code)
		reasons = append(reasons, fmt.Sprintf("%s %s: %s", f.Rule, f.Verdict, f.Staff))
	}
	return append(row, strings.Join(codes, " "), strings.Join(reasons, " | "))
}

// writeCSV writes rows as CSV with CRLF line ends, each cell that a
// spreadsheet would take for a formula (=, +, -, @ first) made text with
// a leading apostrophe: catalog text is not trusted, and a brand of
// "=HYPERLINK(...)" must not become a live formula in an auditor's Excel.
func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, r := range rows {
		for i, v := range r {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				r[i] = "'" + v
			}
		}
		cw.Write(r)
	}
	cw.Flush()
	return cw.Error()
}
