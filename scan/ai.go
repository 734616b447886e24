package scan

import (
	"fmt"
	"strconv"
	"strings"
)

// An aiDef is one Application Identifier from the GS1 Barcode Syntax
// Dictionary (aitable.go), compiled for checking values.
type aiDef struct {
	ai     string
	title  string
	fixed  bool // predefined length: no separator needed after the value
	dlAttr bool // may be a Digital Link data attribute (query parameter)
	parts  []component
	min    int          // shortest value: the mandatory components at their shortest
	max    int          // longest value: every component at its longest
	req    [][][]string // required companions; recorded, not enforced (see finish)
	ex     []string     // AIs (or patterns) that may not appear with this one
	// dlQual lists the qualifier sequences of a Digital Link primary key;
	// dlKey says the AI is a primary key at all (a key with no qualifiers has
	// dlKey set and dlQual empty).
	dlKey  bool
	dlQual [][]string
}

// A component is one part of an AI value: a character set and a length, and
// the content checks it must pass.
type component struct {
	cset    byte // 'N' digits, 'X' set 82, 'Y' set 39, 'Z' set 64
	min     int
	max     int
	opt     bool
	csum    bool // ends with a GS1 mod-10 check digit
	linters []linter
}

// aiTable holds the compiled dictionary. It is built once, from constant
// data, before any Parse can run, and never changes after.
var aiTable = mustCompileAITable(aiTableText)

type compiledTable struct {
	byNum    [10000]*aiDef // indexed by the AI read as a number; see lookup
	lenByPre [100]uint8    // AI length for each two-digit prefix, 0 if none
	all      []*aiDef
}

// lookup returns the definition of the AI ai (all digits, 2 to 4 of them), or
// nil. Indexing by number is unambiguous because every AI that starts with
// the same two digits has the same length.
func (t *compiledTable) lookup(ai string) *aiDef {
	if len(ai) < 2 || len(ai) > 4 {
		return nil
	}
	n := 0
	for i := 0; i < len(ai); i++ {
		c := ai[i]
		if c < '0' || c > '9' {
			return nil
		}
		n = n*10 + int(c-'0')
	}
	d := t.byNum[n]
	if d == nil || len(d.ai) != len(ai) {
		return nil
	}
	return d
}

// aiLen returns the length of the AIs starting with the two digits at s, or 0.
func (t *compiledTable) aiLen(a, b byte) int {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0
	}
	return int(t.lenByPre[(a-'0')*10+(b-'0')])
}

func mustCompileAITable(text string) *compiledTable {
	t, err := compileAITable(text)
	if err != nil {
		panic("scan: bad AI table: " + err.Error())
	}
	return t
}

func compileAITable(text string) (*compiledTable, error) {
	t := new(compiledTable)
	for lineno, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		defs, err := compileLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", lineno, err)
		}
		for _, d := range defs {
			n, _ := strconv.Atoi(d.ai)
			if t.byNum[n] != nil {
				return nil, fmt.Errorf("line %d: AI (%s) defined twice", lineno, d.ai)
			}
			pre := n
			for i := len(d.ai); i > 2; i-- {
				pre /= 10
			}
			if l := t.lenByPre[pre]; l != 0 && int(l) != len(d.ai) {
				return nil, fmt.Errorf("line %d: AIs starting %02d have different lengths", lineno, pre)
			}
			t.lenByPre[pre] = uint8(len(d.ai))
			t.byNum[n] = d
			t.all = append(t.all, d)
		}
	}
	return t, nil
}

func compileLine(line string) ([]*aiDef, error) {
	title := ""
	if i := strings.IndexByte(line, '#'); i >= 0 {
		title = strings.TrimSpace(line[i+1:])
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return nil, fmt.Errorf("too few fields")
	}
	first, last := f[0], f[0]
	if i := strings.IndexByte(f[0], '-'); i >= 0 {
		first, last = f[0][:i], f[0][i+1:]
	}
	f = f[1:]
	var fixed, dlAttr bool
	if strings.Trim(f[0], "*?") == "" {
		fixed = strings.Contains(f[0], "*")
		dlAttr = strings.Contains(f[0], "?")
		f = f[1:]
	}
	proto := &aiDef{title: title, fixed: fixed, dlAttr: dlAttr}
	for _, tok := range f {
		switch {
		case tok[0] == '[' || strings.IndexByte("NXYZ", tok[0]) >= 0:
			c, err := compileComponent(tok)
			if err != nil {
				return nil, err
			}
			if len(proto.parts) > 0 && proto.parts[len(proto.parts)-1].opt && !c.opt {
				return nil, fmt.Errorf("mandatory component %q after an optional one", tok)
			}
			proto.parts = append(proto.parts, c)
			proto.max += c.max
			if !c.opt {
				proto.min += c.min
			}
		case strings.HasPrefix(tok, "req="):
			var alts [][]string
			for _, a := range strings.Split(tok[4:], ",") {
				alts = append(alts, strings.Split(a, "+"))
			}
			proto.req = append(proto.req, alts)
		case strings.HasPrefix(tok, "ex="):
			proto.ex = append(proto.ex, strings.Split(tok[3:], ",")...)
		case tok == "dlpkey":
			proto.dlKey = true
		case strings.HasPrefix(tok, "dlpkey="):
			proto.dlKey = true
			for _, seq := range strings.Split(tok[7:], "|") {
				proto.dlQual = append(proto.dlQual, strings.Split(seq, ","))
			}
		default:
			return nil, fmt.Errorf("unknown token %q", tok)
		}
	}
	if len(proto.parts) == 0 {
		return nil, fmt.Errorf("no components")
	}
	if len(first) != len(last) || len(first) < 2 || len(first) > 4 {
		return nil, fmt.Errorf("bad AI range %s-%s", first, last)
	}
	lo, err1 := strconv.Atoi(first)
	hi, err2 := strconv.Atoi(last)
	if err1 != nil || err2 != nil || lo > hi {
		return nil, fmt.Errorf("bad AI range %s-%s", first, last)
	}
	var defs []*aiDef
	for n := lo; n <= hi; n++ {
		d := *proto
		d.ai = fmt.Sprintf("%0*d", len(first), n)
		defs = append(defs, &d)
	}
	return defs, nil
}

// compileComponent reads "N14,csum,keyoff1", "X..20", "[N..12]" or
// "[N3],iso3166".
func compileComponent(tok string) (component, error) {
	var c component
	names := strings.Split(tok, ",")
	typ := names[0]
	if strings.HasPrefix(typ, "[") {
		if !strings.HasSuffix(typ, "]") {
			return c, fmt.Errorf("bad component %q", tok)
		}
		c.opt = true
		typ = typ[1 : len(typ)-1]
	}
	if typ == "" {
		return c, fmt.Errorf("bad component %q", tok)
	}
	c.cset = typ[0]
	if strings.IndexByte("NXYZ", c.cset) < 0 {
		return c, fmt.Errorf("bad character set in %q", tok)
	}
	n := typ[1:]
	variable := strings.HasPrefix(n, "..")
	if variable {
		n = n[2:]
	}
	l, err := strconv.Atoi(n)
	if err != nil || l < 1 {
		return c, fmt.Errorf("bad length in %q", tok)
	}
	c.min, c.max = l, l
	if variable {
		c.min = 1
	}
	for _, name := range names[1:] {
		if name == "csum" {
			c.csum = true
			continue
		}
		lt, ok := linters[name]
		if !ok {
			return c, fmt.Errorf("unknown check %q in %q", name, tok)
		}
		if lt != nil {
			c.linters = append(c.linters, lt)
		}
	}
	return c, nil
}

// matchAI reports whether ai matches the dictionary pattern p, in which "n"
// stands for any digit ("31nn" matches 3100 to 3195).
func matchAI(ai, p string) bool {
	if len(ai) != len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != 'n' && p[i] != ai[i] {
			return false
		}
	}
	return true
}
