package catalog

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// Record kinds: the first line of a record's body.
const (
	KindDeclaration = "smartcheck-declaration/1"
	KindNotice      = "smartcheck-notice/1"
	KindKey         = "smartcheck-key/1"
	KindWithdrawal  = "smartcheck-withdrawal/1"
)

// MaxRecordSize is the largest record, signatures included (catalog.md).
const MaxRecordSize = 64 << 10

// A SyntaxError says which line of a record body is wrong and why.
type SyntaxError struct {
	Line int    // 1-based line of the body; 0 for the body as a whole
	Key  string // the line's key, when known
	Msg  string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line == 0:
		return e.Msg
	case e.Key != "":
		return fmt.Sprintf("line %d (%s): %s", e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// A Record is the parsed body of one signed record. Exactly one of
// Declaration, Notice, Key and Withdrawal is set, as Kind says.
type Record struct {
	Kind        string
	Declaration *Declaration
	Notice      *Notice
	Key         *KeyRecord
	Withdrawal  *Withdrawal
}

// Party is a manufacturer or an authorised representative.
type Party struct {
	Name, Address string
	Country       string // ISO 3166-1 alpha-2; empty for an authorised representative
}

// Signatory is who signed the statement of compliance, and in what function.
type Signatory struct{ Name, Function string }

// Standard is a `standard` line: ID | VERSION | DATE | PROVISIONS.
type Standard struct{ ID, Version, Date, Provisions string }

// Label is a `label` line: SCHEME | LEVEL | LABEL-ID | EXPIRES.
type Label struct {
	Scheme, Level, ID string
	Expires           Date
}

// Source is a `source` line: where a curator read the facts, and when.
type Source struct {
	URL  string
	Date Date
}

// YesNo is an optional yes/no line.
type YesNo uint8

const (
	Unset YesNo = iota
	Yes
	No
)

// Support is what a declaration says of its security update period
// (`support-until`, `support-relative`).
type Support struct {
	Kind     SupportKind
	End      Period // when Kind is SupportFixed
	Relative Relative
}

// SupportKind says how a support period was given.
type SupportKind uint8

const (
	SupportFixed    SupportKind = iota // a date at day, month or year precision
	SupportRelative                    // "N years after ANCHOR"
	SupportNone                        // no period published
)

// Relative is a `support-relative` value: N years|months after ANCHOR [DATE].
type Relative struct {
	N          int
	Months     bool // unit is months, not years
	Anchor     string
	AnchorDate Date // zero when not known
}

func (r Relative) String() string {
	unit := "year"
	if r.Months {
		unit = "month"
	}
	if r.N != 1 {
		unit += "s"
	}
	s := fmt.Sprintf("%d %s after %s", r.N, unit, r.Anchor)
	if !r.AnchorDate.IsZero() {
		s += " " + r.AnchorDate.String()
	}
	return s
}

// Declaration is a manufacturer's statement of compliance for one product
// type (`smartcheck-declaration/1`).
type Declaration struct {
	ID                string
	Version           int
	Published         Date
	GTINs             []string
	Brand             string
	Model             string
	ModelNumber       string
	Category          string
	Cellular          YesNo
	Under14           YesNo
	MedicalSoftware   YesNo
	SmartMeterAssured YesNo
	Batches           []string
	Manufacturers     []Party
	AuthorisedReps    []Party
	Route             string
	Standards         []Standard
	Labels            []Label
	Passwords         string
	PasswordNote      string
	Contacts          []string
	Policy            string
	Acknowledgement   string
	StatusUpdates     string
	Support           Support
	SupportStatement  string
	SupportURL        string
	FirstSupplied     Date
	Issued            Date
	IssuedPlace       string
	Signatory         Signatory
	Sources           []Source
}

// Notice is an enforcement notice or public safety information
// (`smartcheck-notice/1`).
type Notice struct {
	ID            string
	Revision      int
	Type          string
	Status        string
	Issued        Date
	Effective     Date
	IssuedBy      string
	Recipient     string
	RecipientRole string
	GTINs         []string
	Batches       []string
	Failures      []Failure
	CustomerRisk  string
	Source        string
	Fictional     bool
}

// Failure is a notice's `failure` line: REQ | SUMMARY.
type Failure struct{ Requirement, Summary string }

// KeyRecord registers or revokes a signing key (`smartcheck-key/1`).
type KeyRecord struct {
	Key    string // note verifier key NAME+HASH+KEYDATA
	Org    string
	Role   string
	Status string
	Scopes []Scope // what it may sign; at least one when Status is active
}

// ScopeKind says what a scope line grants.
type ScopeKind uint8

const (
	ScopeGTIN   ScopeKind = iota + 1 // `gtin PREFIX`: declarations for GTINs whose GTIN-13 form starts with Prefix
	ScopeAny                         // `gtin *`: declarations for any GTIN (curators only)
	ScopeNotice                      // `notice PREFIX`: notices whose id starts with Prefix
)

// Scope is one `scope` line of a key record (catalog.md, "Scope").
type Scope struct {
	Kind   ScopeKind
	Prefix string // empty for ScopeAny
}

func (s Scope) String() string {
	switch s.Kind {
	case ScopeAny:
		return "gtin *"
	case ScopeNotice:
		return "notice " + s.Prefix
	}
	return "gtin " + s.Prefix
}

// CoversGTIN reports whether the scope grants declarations for gtin, a
// GTIN-14: its GTIN-13 form (without the indicator digit) must start with
// the prefix, so a prefix never matches through the indicator digit.
func (s Scope) CoversGTIN(gtin string) bool {
	switch s.Kind {
	case ScopeAny:
		return true
	case ScopeGTIN:
		return len(gtin) == 14 && strings.HasPrefix(gtin[1:], s.Prefix)
	}
	return false
}

// CoversNotice reports whether the scope grants the notice id.
func (s Scope) CoversNotice(id string) bool {
	return s.Kind == ScopeNotice && strings.HasPrefix(id, s.Prefix)
}

// ParseScope parses a scope value: `gtin PREFIX` (1–13 digits), `gtin *`
// or `notice PREFIX` (1–64 characters of the notice id alphabet).
func ParseScope(v string) (Scope, error) {
	what, prefix, ok := strings.Cut(v, " ")
	if !ok {
		return Scope{}, fmt.Errorf("%q is not `gtin PREFIX`, `gtin *` or `notice PREFIX`", clip(v))
	}
	switch what {
	case "gtin":
		if prefix == "*" {
			return Scope{Kind: ScopeAny}, nil
		}
		if _, ok := digits(prefix); !ok || len(prefix) > 13 {
			return Scope{}, fmt.Errorf("gtin scope %q is not 1 to 13 digits (a GS1 Company Prefix, or a GTIN-13) or *", clip(prefix))
		}
		return Scope{Kind: ScopeGTIN, Prefix: prefix}, nil
	case "notice":
		if !validID(prefix, isAlnum, noticeIDChar) {
			return Scope{}, fmt.Errorf("notice scope %q is not 1 to 64 characters of [A-Za-z0-9./-] starting with a letter or digit", clip(prefix))
		}
		return Scope{Kind: ScopeNotice, Prefix: prefix}, nil
	}
	return Scope{}, fmt.Errorf("%q is not `gtin PREFIX`, `gtin *` or `notice PREFIX`", clip(v))
}

// scopeAllowed reports whether a key of role may hold the scope (catalog.md,
// "Scope": only curators sign for any GTIN, only notice issuers sign
// notices).
func scopeAllowed(role string, s Scope) bool {
	switch s.Kind {
	case ScopeGTIN:
		return role == "manufacturer" || role == "authorised-rep" || role == "curator"
	case ScopeAny:
		return role == "curator"
	case ScopeNotice:
		return role == "notice-issuer"
	}
	return false
}

// Withdrawal withdraws one earlier declaration or notice that was logged
// by mistake (`smartcheck-withdrawal/1`).
type Withdrawal struct {
	Record    int64     // the withdrawn record's index in the log
	Hash      tlog.Hash // its tlog.RecordHash
	Reason    string
	Withdrawn Date
}

var (
	categories = words("smartphone tablet laptop desktop smart-speaker smart-display camera doorbell router tv streaming-device smart-plug lighting appliance wearable e-reader toy games-console ev-charge-point smart-meter medical-device vehicle other")
	routes     = words("schedule1 schedule2-standard schedule2-label")
	passwords  = words("unique-per-product user-defined none universal-default unknown")
	anchors    = words("first-supply launch purchase last-available")
	noticeType = words("compliance stop recall penalty forfeiture public-information")
	noticeStat = words("in-force varied appealed revoked complied cancelled spent")
	recipRoles = words("manufacturer importer distributor authorised-rep")
	failReqs   = words("passwords contact support-period statement other")
	keyRoles   = words("manufacturer authorised-rep curator notice-issuer")
	keyStatus  = words("active revoked")
	labelSchem = words("SG-CLS JP-JC-STAR")
	yesNo      = words("yes no")
)

func words(s string) []string { return strings.Fields(s) }

// A field is one `key value` line of a body.
type field struct {
	line       int
	key, value string
}

// ParseRecord parses the body of a record (the text before the signatures,
// ending in one LF), strictly, as catalog.md specifies. It does not check
// signatures: call it on bytes whose signature was checked, or to refuse a
// record before signing it.
func ParseRecord(body []byte) (*Record, error) {
	if len(body) > MaxRecordSize {
		return nil, &SyntaxError{Msg: fmt.Sprintf("record is %d bytes, more than %d", len(body), MaxRecordSize)}
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return nil, &SyntaxError{Msg: "record body does not end with a line feed"}
	}
	if !utf8.Valid(body) {
		return nil, &SyntaxError{Line: lineOfInvalidUTF8(body), Msg: "not valid UTF-8"}
	}
	text := string(body[:len(body)-1])
	lines := strings.Split(text, "\n")
	kind := lines[0]
	fields := make([]field, 0, len(lines)-1)
	for i, ln := range lines[1:] {
		n := i + 2
		key, value, ok := strings.Cut(ln, " ")
		if !ok || key == "" {
			return nil, &SyntaxError{Line: n, Msg: "not a `key value` line"}
		}
		if !validKey(key) {
			return nil, &SyntaxError{Line: n, Msg: fmt.Sprintf("key %q is not [a-z0-9-]+", clip(key))}
		}
		if err := checkValue(value); err != "" {
			return nil, &SyntaxError{Line: n, Key: key, Msg: err}
		}
		fields = append(fields, field{n, key, value})
	}
	switch kind {
	case KindDeclaration:
		d, err := parseDeclaration(fields)
		if err != nil {
			return nil, err
		}
		return &Record{Kind: kind, Declaration: d}, nil
	case KindNotice:
		n, err := parseNotice(fields)
		if err != nil {
			return nil, err
		}
		return &Record{Kind: kind, Notice: n}, nil
	case KindKey:
		k, err := parseKey(fields)
		if err != nil {
			return nil, err
		}
		return &Record{Kind: kind, Key: k}, nil
	case KindWithdrawal:
		w, err := parseWithdrawal(fields)
		if err != nil {
			return nil, err
		}
		return &Record{Kind: kind, Withdrawal: w}, nil
	}
	return nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("unknown record kind %q", clip(kind))}
}

// SplitNote splits a signed note into its body (ending in LF) and the
// signature block, without checking either.
func SplitNote(note []byte) (body []byte, ok bool) {
	i := bytes.LastIndex(note, []byte("\n\n"))
	if i < 0 {
		return nil, false
	}
	return note[:i+1], true
}

func lineOfInvalidUTF8(b []byte) int {
	line := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[size:]
	}
	return line
}

// clip keeps an error message short when it quotes untrusted text.
func clip(s string) string { return clipN(s, 40) }

// clipN keeps at most n bytes of s, cut at a character boundary.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func validKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return k != ""
}

// checkValue applies the rules every value obeys; it returns "" or why not.
func checkValue(v string) string {
	if v == "" {
		return "empty value"
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return "value has leading or trailing space"
	}
	for _, r := range v {
		if forbiddenRune(r) {
			return fmt.Sprintf("value contains forbidden character U+%04X", r)
		}
	}
	return ""
}

// forbiddenRune reports control characters (C0, DEL, C1) and the Unicode
// bidirectional formatting characters, which could make a terminal or a
// reader show something other than what was signed.
func forbiddenRune(r rune) bool {
	switch {
	case r <= 0x1F, r >= 0x7F && r <= 0x9F:
		return true
	case r == 0x061C, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// A schema lists the keys of a kind: required (R), optional (O), and
// whether they repeat.
type keySpec struct {
	required, repeat bool
}

// byKeyPool keeps the maps checkSchema fills: a lookup parses a record,
// and making the map was a tenth of the parse.
var byKeyPool = sync.Pool{New: func() any { return make(map[string][]field, 48) }}

// releaseByKey gives a map from checkSchema back, once the record's
// values have been read from it.
func releaseByKey(byKey map[string][]field) {
	clear(byKey)
	byKeyPool.Put(byKey)
}

// checkSchema groups the fields by key, refusing keys the schema does not
// allow and repeats of keys that may not repeat. Give the map back with
// releaseByKey once done with it.
func checkSchema(fields []field, schema map[string]keySpec) (_ map[string][]field, err error) {
	byKey := byKeyPool.Get().(map[string][]field)
	defer func() {
		if err != nil {
			releaseByKey(byKey)
		}
	}()
	for i := 0; i < len(fields); {
		f := fields[i]
		spec, ok := schema[f.key]
		if !ok {
			return nil, &SyntaxError{Line: f.line, Key: f.key, Msg: "key not allowed in this kind of record"}
		}
		j := i + 1 // a run of lines with the same key is kept as it is
		for j < len(fields) && fields[j].key == f.key {
			j++
		}
		prev := byKey[f.key]
		switch {
		case len(prev) > 0 && !spec.repeat:
			return nil, &SyntaxError{Line: f.line, Key: f.key, Msg: fmt.Sprintf("repeated (first on line %d)", prev[0].line)}
		case j-i > 1 && !spec.repeat:
			return nil, &SyntaxError{Line: fields[i+1].line, Key: f.key, Msg: fmt.Sprintf("repeated (first on line %d)", f.line)}
		case len(prev) > 0: // an earlier run: copied, never into fields
			byKey[f.key] = append(prev[:len(prev):len(prev)], fields[i:j]...)
		default:
			byKey[f.key] = fields[i:j:j]
		}
		i = j
	}
	return byKey, nil
}

// missing reports the first required key (in name order) that a record
// lacks. Parsers call it after the lines' own checks, so that an error in
// a line is reported by its line.
func missing(byKey map[string][]field, required []string) error {
	for _, k := range required {
		if len(byKey[k]) == 0 {
			return &SyntaxError{Line: 1, Msg: fmt.Sprintf("missing required key %q: the record that starts here has no such line", k)}
		}
	}
	return nil
}

// requiredKeys lists a schema's required keys in name order.
func requiredKeys(schema map[string]keySpec) []string {
	var keys []string
	for k, spec := range schema {
		if spec.required {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// The required keys of each kind, worked out once.
var (
	declRequired       = requiredKeys(declSchema)
	noticeRequired     = requiredKeys(noticeSchema)
	keyRequired        = requiredKeys(keySchema)
	withdrawalRequired = requiredKeys(withdrawalSchema)
)

var declSchema = map[string]keySpec{
	"id": {true, false}, "version": {true, false}, "published": {true, false},
	"gtin": {true, true}, "brand": {true, false}, "model": {true, false},
	"model-number": {false, false}, "category": {true, false},
	"cellular": {false, false}, "under-14": {false, false},
	"medical-software": {false, false}, "smart-meter-assured": {false, false},
	"batch": {false, true}, "manufacturer": {true, true}, "authorised-rep": {false, true},
	"route": {true, false}, "standard": {false, true}, "label": {false, true},
	"passwords": {true, false}, "password-note": {false, false},
	"contact": {false, true}, "policy": {false, false},
	"acknowledgement": {false, false}, "status-updates": {false, false},
	"support-until": {true, false}, "support-relative": {false, false},
	"support-statement": {true, false}, "support-url": {false, false},
	"first-supplied": {false, false}, "issued": {true, false},
	"signatory": {true, false}, "source": {false, true},
}

// fieldParser parses the fields of one record, keeping the first error.
type fieldParser struct {
	by  map[string][]field
	err error
}

func (p *fieldParser) fail(f field, format string, args ...any) {
	if p.err == nil {
		p.err = &SyntaxError{Line: f.line, Key: f.key, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *fieldParser) all(key string) []field { return p.by[key] }

func (p *fieldParser) one(key string) (field, bool) {
	fs := p.by[key]
	if len(fs) == 0 {
		return field{}, false
	}
	return fs[0], true
}

func (p *fieldParser) text(key string) string {
	f, _ := p.one(key)
	return f.value
}

func (p *fieldParser) choice(key string, choices []string) string {
	f, ok := p.one(key)
	if ok && !slices.Contains(choices, f.value) {
		p.fail(f, "%q is not one of: %s", clip(f.value), strings.Join(choices, ", "))
	}
	return f.value
}

func (p *fieldParser) yesNo(key string) YesNo {
	switch p.choice(key, yesNo) {
	case "yes":
		return Yes
	case "no":
		return No
	}
	return Unset
}

func (p *fieldParser) integer(key string) int {
	f, ok := p.one(key)
	if !ok {
		return 0
	}
	n, err := parsePositive(f.value)
	if err != nil {
		p.fail(f, "%v", err)
	}
	return n
}

func parsePositive(s string) (int, error) {
	n, ok := digits(s)
	if !ok || s[0] == '0' || len(s) > 9 {
		return 0, fmt.Errorf("%q is not an integer ≥ 1 without leading zeros", clip(s))
	}
	return n, nil
}

func (p *fieldParser) date(key string) Date {
	f, ok := p.one(key)
	if !ok {
		return Date{}
	}
	d, err := ParseDate(f.value)
	if err != nil {
		p.fail(f, "%v", err)
	}
	return d
}

func (p *fieldParser) gtins(key string) []string {
	var out []string
	for _, f := range p.all(key) {
		if !ValidGTIN14(f.value) {
			p.fail(f, "%s", gtinProblem(f.value))
		}
		out = append(out, f.value)
	}
	return out
}

func (p *fieldParser) texts(key string) []string {
	var out []string
	for _, f := range p.all(key) {
		out = append(out, f.value)
	}
	return out
}

// parts splits a structured value on " | " into exactly n non-empty parts.
func (p *fieldParser) parts(f field, n int, form string) []string {
	ps := strings.Split(f.value, " | ")
	if len(ps) != n {
		p.fail(f, "want %s", form)
		return make([]string, n)
	}
	for _, s := range ps {
		if s == "" || checkValue(s) != "" {
			p.fail(f, "want %s", form)
		}
	}
	return ps
}

func (p *fieldParser) httpsURL(f field) {
	if !isHTTPURL(f.value, true) {
		p.fail(f, "%q is not an https URI", clip(f.value))
	}
}

func isHTTPURL(s string, httpsOnly bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || strings.ContainsAny(s, " ") {
		return false
	}
	return u.Scheme == "https" || !httpsOnly && u.Scheme == "http"
}

var idChars = func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' }

func validID(s string, first, rest func(byte) bool) bool {
	if len(s) == 0 || len(s) > 64 || !first(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !rest(s[i]) {
			return false
		}
	}
	return true
}

func parseDeclaration(fields []field) (*Declaration, error) {
	by, err := checkSchema(fields, declSchema)
	if err != nil {
		return nil, err
	}
	defer releaseByKey(by)
	p := &fieldParser{by: by}
	d := &Declaration{
		ID:                p.text("id"),
		Version:           p.integer("version"),
		Published:         p.date("published"),
		GTINs:             p.gtins("gtin"),
		Brand:             p.text("brand"),
		Model:             p.text("model"),
		ModelNumber:       p.text("model-number"),
		Category:          p.choice("category", categories),
		Cellular:          p.yesNo("cellular"),
		Under14:           p.yesNo("under-14"),
		MedicalSoftware:   p.yesNo("medical-software"),
		SmartMeterAssured: p.yesNo("smart-meter-assured"),
		Batches:           p.texts("batch"),
		Route:             p.choice("route", routes),
		Passwords:         p.choice("passwords", passwords),
		PasswordNote:      p.text("password-note"),
		Contacts:          p.texts("contact"),
		Policy:            p.text("policy"),
		Acknowledgement:   p.text("acknowledgement"),
		StatusUpdates:     p.text("status-updates"),
		SupportStatement:  p.text("support-statement"),
		SupportURL:        p.text("support-url"),
		FirstSupplied:     p.date("first-supplied"),
	}
	if f, ok := p.one("id"); ok && !validID(f.value, isLowerAlnum, idChars) {
		p.fail(f, "%q is not [a-z0-9][a-z0-9.-]{0,63}", clip(f.value))
	}
	for _, f := range p.all("manufacturer") {
		ps := p.parts(f, 3, "NAME | ADDRESS | CC")
		if !isCountryCode(ps[2]) {
			p.fail(f, "country %q is not an ISO 3166-1 alpha-2 code", clip(ps[2]))
		}
		d.Manufacturers = append(d.Manufacturers, Party{ps[0], ps[1], ps[2]})
	}
	for _, f := range p.all("authorised-rep") {
		ps := p.parts(f, 2, "NAME | ADDRESS")
		d.AuthorisedReps = append(d.AuthorisedReps, Party{Name: ps[0], Address: ps[1]})
	}
	for _, f := range p.all("standard") {
		ps := p.parts(f, 4, "ID | VERSION | DATE | PROVISIONS")
		if _, err := ParsePeriod(ps[2]); ps[2] != "" && err != nil {
			p.fail(f, "standard date: %v", err)
		}
		d.Standards = append(d.Standards, Standard{ps[0], ps[1], ps[2], ps[3]})
	}
	for _, f := range p.all("label") {
		ps := p.parts(f, 4, "SCHEME | LEVEL | LABEL-ID | EXPIRES")
		if ps[0] != "" && !slices.Contains(labelSchem, ps[0]) {
			p.fail(f, "label scheme %q is not SG-CLS or JP-JC-STAR", clip(ps[0]))
		}
		exp, err := ParseDate(ps[3])
		if ps[3] != "" && err != nil {
			p.fail(f, "label expiry: %v", err)
		}
		d.Labels = append(d.Labels, Label{ps[0], ps[1], ps[2], exp})
	}
	if f, ok := p.one("policy"); ok {
		p.httpsURL(f)
	}
	if f, ok := p.one("support-url"); ok {
		p.httpsURL(f)
	}
	if f, ok := p.one("issued"); ok {
		ps := p.parts(f, 2, "YYYY-MM-DD | PLACE")
		day, err := ParseDate(ps[0])
		if ps[0] != "" && err != nil {
			p.fail(f, "%v", err)
		}
		d.Issued, d.IssuedPlace = day, ps[1]
	}
	if f, ok := p.one("signatory"); ok {
		ps := p.parts(f, 2, "NAME | FUNCTION")
		d.Signatory = Signatory{ps[0], ps[1]}
	}
	for _, f := range p.all("source") {
		u, day, ok := strings.Cut(f.value, " ")
		dd, err := ParseDate(day)
		if !ok || err != nil || !isHTTPURL(u, false) {
			p.fail(f, "want URL YYYY-MM-DD")
		}
		d.Sources = append(d.Sources, Source{u, dd})
	}
	if p.err != nil {
		return nil, p.err
	}
	if err := missing(by, declRequired); err != nil {
		return nil, err
	}
	d.Support, p.err = parseSupport(p)
	if p.err != nil {
		return nil, p.err
	}
	// Conditional requirements (catalog.md).
	switch d.Category {
	case "smartphone", "tablet", "laptop", "desktop":
		if d.Cellular == Unset {
			return nil, &SyntaxError{Msg: fmt.Sprintf("category %s requires a cellular line", d.Category)}
		}
	}
	switch d.Category {
	case "tablet", "laptop", "desktop":
		if d.Under14 == Unset {
			return nil, &SyntaxError{Msg: fmt.Sprintf("category %s requires an under-14 line", d.Category)}
		}
	}
	if d.Route == "schedule2-standard" && len(d.Standards) == 0 {
		return nil, &SyntaxError{Msg: "route schedule2-standard requires a standard line"}
	}
	if d.Route == "schedule2-label" && len(d.Labels) == 0 {
		return nil, &SyntaxError{Msg: "route schedule2-label requires a label line"}
	}
	return d, nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// isCountryCode reports whether s is an officially assigned ISO 3166-1
// alpha-2 code (GB for the United Kingdom: UK is only exceptionally
// reserved, and XX is user-assigned).
func isCountryCode(s string) bool {
	return len(s) == 2 && strings.Contains(iso3166, " "+s+" ")
}

// iso3166 lists the 249 officially assigned ISO 3166-1 alpha-2 codes.
const iso3166 = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ" +
	" CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR" +
	" GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP" +
	" KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ" +
	" NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW" +
	" SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ" +
	" UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "

// gtinProblem says what is wrong with a value that is not a GTIN-14.
func gtinProblem(v string) string {
	if _, ok := digits(v); !ok {
		return fmt.Sprintf("%q is not a GTIN: a GTIN is digits only", clip(v))
	}
	switch len(v) {
	case 8, 12, 13:
		return fmt.Sprintf("%q has %d digits: write GTIN-8, -12 and -13 as 14 digits, with leading zeros (%s)", v, len(v), strings.Repeat("0", 14-len(v))+v)
	case 14:
		return fmt.Sprintf("%q does not have a valid GS1 check digit", v)
	}
	return fmt.Sprintf("%q has %d digits: a GTIN-14 has 14", clip(v), len(v))
}

func parseSupport(p *fieldParser) (Support, error) {
	until, _ := p.one("support-until")
	rel, hasRel := p.one("support-relative")
	switch until.value {
	case "none":
		if hasRel {
			p.fail(rel, "support-relative needs support-until relative")
		}
		return Support{Kind: SupportNone}, p.err
	case "relative":
		if !hasRel {
			return Support{}, &SyntaxError{Line: until.line, Key: until.key, Msg: "support-until relative requires a support-relative line"}
		}
		r, err := parseRelative(rel.value)
		if err != nil {
			p.fail(rel, "%v", err)
		}
		return Support{Kind: SupportRelative, Relative: r}, p.err
	}
	if hasRel {
		p.fail(rel, "support-relative needs support-until relative")
	}
	end, err := ParsePeriod(until.value)
	if err != nil {
		p.fail(until, "%v, relative or none", err)
	}
	return Support{Kind: SupportFixed, End: end}, p.err
}

// maxRelativeYears is the longest relative support period that parses.
const maxRelativeYears = 100

// parseRelative parses `N years|months after ANCHOR [YYYY-MM-DD]`.
func parseRelative(s string) (Relative, error) {
	const form = "want N years|months after ANCHOR [YYYY-MM-DD]"
	f := strings.Split(s, " ")
	if len(f) != 4 && len(f) != 5 || f[2] != "after" {
		return Relative{}, fmt.Errorf("%s", form)
	}
	n, err := parsePositive(f[0])
	if err != nil {
		return Relative{}, err
	}
	r := Relative{N: n, Anchor: f[3]}
	unit := f[1]
	switch {
	case n == 1 && unit == "year", n != 1 && unit == "years":
	case n == 1 && unit == "month", n != 1 && unit == "months":
		r.Months = true
	default:
		return Relative{}, fmt.Errorf("unit %q does not fit %d (year, years, month, months)", clip(unit), n)
	}
	// verdicts.md, "Dates": a period longer than 100 years does not parse,
	// so that every end stays within a century of 9999-12-31.
	if !r.Months && n > maxRelativeYears || r.Months && n > maxRelativeYears*12 {
		return Relative{}, fmt.Errorf("%d %s is longer than %d years", n, unit, maxRelativeYears)
	}
	if !slices.Contains(anchors, r.Anchor) {
		return Relative{}, fmt.Errorf("anchor %q is not one of: %s", clip(r.Anchor), strings.Join(anchors, ", "))
	}
	if len(f) == 5 {
		if r.AnchorDate, err = ParseDate(f[4]); err != nil {
			return Relative{}, err
		}
	}
	return r, nil
}

var noticeSchema = map[string]keySpec{
	"id": {true, false}, "revision": {true, false}, "type": {true, false},
	"status": {true, false}, "issued": {true, false}, "effective": {false, false},
	"issued-by": {true, false}, "recipient": {true, false}, "gtin": {true, true},
	"batch": {false, true}, "failure": {false, true}, "customer-risk": {false, false},
	"source": {false, false}, "fictional": {false, false},
}

func parseNotice(fields []field) (*Notice, error) {
	by, err := checkSchema(fields, noticeSchema)
	if err != nil {
		return nil, err
	}
	defer releaseByKey(by)
	p := &fieldParser{by: by}
	n := &Notice{
		ID:           p.text("id"),
		Revision:     p.integer("revision"),
		Type:         p.choice("type", noticeType),
		Status:       p.choice("status", noticeStat),
		Issued:       p.date("issued"),
		Effective:    p.date("effective"),
		IssuedBy:     p.text("issued-by"),
		GTINs:        p.gtins("gtin"),
		Batches:      p.texts("batch"),
		CustomerRisk: p.text("customer-risk"),
		Source:       p.text("source"),
		Fictional:    p.choice("fictional", []string{"yes"}) == "yes",
	}
	if f, ok := p.one("id"); ok && !validID(f.value, isAlnum, noticeIDChar) {
		p.fail(f, "%q is not [A-Za-z0-9][A-Za-z0-9./-]{0,63}", clip(f.value))
	}
	if f, ok := p.one("recipient"); ok {
		ps := p.parts(f, 2, "NAME | ROLE")
		if ps[1] != "" && !slices.Contains(recipRoles, ps[1]) {
			p.fail(f, "role %q is not one of: %s", clip(ps[1]), strings.Join(recipRoles, ", "))
		}
		n.Recipient, n.RecipientRole = ps[0], ps[1]
	}
	for _, f := range p.all("failure") {
		ps := p.parts(f, 2, "REQ | SUMMARY")
		if ps[0] != "" && !slices.Contains(failReqs, ps[0]) {
			p.fail(f, "requirement %q is not one of: %s", clip(ps[0]), strings.Join(failReqs, ", "))
		}
		n.Failures = append(n.Failures, Failure{ps[0], ps[1]})
	}
	if f, ok := p.one("source"); ok && !isHTTPURL(f.value, false) {
		p.fail(f, "%q is not a URL", clip(f.value))
	}
	if p.err != nil {
		return nil, p.err
	}
	if err := missing(by, noticeRequired); err != nil {
		return nil, err
	}
	return n, nil
}

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

func noticeIDChar(c byte) bool { return isAlnum(c) || c == '.' || c == '/' || c == '-' }

var keySchema = map[string]keySpec{
	"key": {true, false}, "org": {true, false}, "role": {true, false}, "status": {true, false},
	"scope": {false, true},
}

func parseKey(fields []field) (*KeyRecord, error) {
	by, err := checkSchema(fields, keySchema)
	if err != nil {
		return nil, err
	}
	defer releaseByKey(by)
	p := &fieldParser{by: by}
	k := &KeyRecord{
		Key:    p.text("key"),
		Org:    p.text("org"),
		Role:   p.choice("role", keyRoles),
		Status: p.choice("status", keyStatus),
	}
	if f, ok := p.one("key"); ok && p.err == nil {
		if _, err := newVerifier(f.value); err != nil {
			p.fail(f, "not a verifier key: %v", err)
		}
	}
	for _, f := range p.all("scope") {
		sc, err := ParseScope(f.value)
		if err != nil {
			p.fail(f, "%v", err)
			continue
		}
		if k.Role != "" && !scopeAllowed(k.Role, sc) {
			p.fail(f, "a key of role %s may not hold scope %q", k.Role, sc)
		}
		if slices.Contains(k.Scopes, sc) {
			p.fail(f, "scope %q given twice", sc)
		}
		k.Scopes = append(k.Scopes, sc)
	}
	if p.err != nil {
		return nil, p.err
	}
	if err := missing(by, keyRequired); err != nil {
		return nil, err
	}
	if k.Status == "active" && len(k.Scopes) == 0 {
		return nil, &SyntaxError{Msg: `an active key record needs at least one scope line (what the key may sign)`}
	}
	return k, nil
}

var withdrawalSchema = map[string]keySpec{
	"record": {true, false}, "hash": {true, false}, "reason": {true, false}, "withdrawn": {true, false},
}

func parseWithdrawal(fields []field) (*Withdrawal, error) {
	by, err := checkSchema(fields, withdrawalSchema)
	if err != nil {
		return nil, err
	}
	defer releaseByKey(by)
	p := &fieldParser{by: by}
	w := &Withdrawal{Reason: p.text("reason"), Withdrawn: p.date("withdrawn"), Record: -1}
	if f, ok := p.one("record"); ok {
		n, ok := digits(f.value)
		if !ok || len(f.value) > 10 || len(f.value) > 1 && f.value[0] == '0' {
			p.fail(f, "%q is not a record index (an integer ≥ 0 without leading zeros)", clip(f.value))
		}
		w.Record = int64(n)
	}
	if f, ok := p.one("hash"); ok {
		h, err := tlog.ParseHash(f.value)
		if err != nil {
			p.fail(f, "%q is not the standard base64 of a 32-byte record hash", clip(f.value))
		}
		w.Hash = h
	}
	if p.err != nil {
		return nil, p.err
	}
	if err := missing(by, withdrawalRequired); err != nil {
		return nil, err
	}
	return w, nil
}

// ValidGTIN14 reports whether s is 14 digits with a valid GS1 mod-10 check digit.
func ValidGTIN14(s string) bool {
	if len(s) != 14 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		w := 1
		if i%2 == 0 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return s[13] == byte('0'+(10-sum%10)%10)
}

// gtinKey packs a GTIN-14 into an integer for the index.
func gtinKey(s string) (uint64, bool) {
	if len(s) != 14 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// KeyRecordBody writes the body of a smartcheck-key/1 record, and checks
// that it parses: what `smartcheck key register` and `key revoke` print.
func KeyRecordBody(k KeyRecord) ([]byte, error) {
	if err := checkValues("key", k.Key, "org", k.Org, "role", k.Role, "status", k.Status); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nkey %s\norg %s\nrole %s\nstatus %s\n", KindKey, k.Key, k.Org, k.Role, k.Status)
	for _, s := range k.Scopes {
		fmt.Fprintf(&b, "scope %s\n", s)
	}
	if _, err := ParseRecord(b.Bytes()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WithdrawalBody writes the body of a smartcheck-withdrawal/1 record, and
// checks that it parses.
func WithdrawalBody(w Withdrawal) ([]byte, error) {
	if err := checkValues("reason", w.Reason); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nrecord %d\nhash %s\nreason %s\nwithdrawn %s\n", KindWithdrawal, w.Record, w.Hash, w.Reason, w.Withdrawn)
	if _, err := ParseRecord(b.Bytes()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// checkValues applies checkValue to key, value pairs before a body is
// written: a line break in a value would add a line nobody asked for.
func checkValues(kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		if why := checkValue(kv[i+1]); why != "" {
			return &SyntaxError{Key: kv[i], Msg: fmt.Sprintf("%s: %s", kv[i], why)}
		}
	}
	return nil
}
