package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"golang.org/x/mod/sumdb/note"
)

var keyCommands = [][2]string{
	{"generate", "write NAME.key (signer key) and NAME.pub (verifier key)"},
	{"register", "print the record that registers a verifier key, for the publisher to sign"},
	{"revoke", "print the record that revokes a verifier key"},
}

func (e *env) key(args []string) error {
	return e.subcommand("key", args, keyCommands, map[string]func([]string) error{
		"generate": e.keyGenerate,
		"register": e.keyRegister,
		"revoke":   e.keyRevoke,
	})
}

// keyGenerate writes a signer key and its verifier key. The key's name
// is NAME, which also names the files, or with --name the name given: a
// publisher key is named as its catalog's origin to be witnessed, and an
// origin such as demo.smartcheck.example/uk has a '/', which a file name
// cannot carry (catalog.md, "Witnesses").
func (e *env) keyGenerate(args []string) error {
	fs := e.newFlags("key generate", "[--name KEYNAME] NAME")
	keyName := fs.String("name", "", "name the key `KEYNAME` (e.g. the catalog's origin, which may hold '/'), and the files NAME.key and NAME.pub")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] == "" {
		fs.Usage()
		return errUsage
	}
	base, name := rest[0], *keyName
	if name == "" {
		name = base
		if strings.ContainsAny(base, "/:") && catalog.ValidKeyName(base) {
			return withHint(fmt.Errorf("key generate: %q names the files too, and may not hold '/' or ':'", base),
				fmt.Sprintf("to name a key after an origin such as %s, give the key's name with --name and the files' name apart: smartcheck key generate --name %s FILE", base, base))
		}
		if !catalog.ValidKeyName(base) || strings.ContainsAny(base, "/:") {
			return fmt.Errorf("key generate: key name %q: want letters, digits, '.', '-' or '_' (or give the key's name with --name)", catalog.Sanitize(base))
		}
	}
	skey, vkey, err := catalog.GenerateKey(rand.Reader, name)
	if err != nil {
		return fmt.Errorf("key generate: %w", err)
	}
	// O_EXCL: never overwrite a key, which may be the only copy.
	if err := writeNew(base+".key", []byte(skey+"\n"), 0o600); err != nil {
		return fmt.Errorf("write signer key: %w", err)
	}
	if err := writeNew(base+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		os.Remove(base + ".key") // a key without its verifier key was never given out
		return fmt.Errorf("write verifier key: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s.key (secret) and %s.pub: %s\n", base, base, vkey)
	return nil
}

func writeNew(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readSigners reads signer key files.
func readSigners(files []string) ([]catalog.Signer, []string, error) {
	if len(files) == 0 {
		return nil, nil, errors.New("no --key given")
	}
	var signers []catalog.Signer
	var vkeys []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("read key: %w", err)
		}
		s, err := catalog.NewSigner(string(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w (is it a .key file from smartcheck key generate?)", f, err)
		}
		v, err := catalog.VerifierKey(string(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		signers = append(signers, s)
		vkeys = append(vkeys, v)
	}
	return signers, vkeys, nil
}

// sign signs record bodies. It refuses a body that does not parse, or
// whose signed record would be too long for a catalog; with --catalog, also
// one that tills would not trust if it were appended to that catalog
// (catalog.md, "Scope"): the signer learns now, not at catalog append.
// One body (standard input, or one FILE) is printed signed; several FILEs,
// or any with --out, are each written beside it as FILE.signed (FILE's
// extension replaced), or into --out DIR. Every file is checked before any
// is written.
func (e *env) sign(args []string) error {
	fs := e.newFlags("sign", "--key FILE [--key FILE...] [--catalog DIR [--trust FILE]] [--out DIR] [FILE...]")
	var keys multiFlag
	fs.Var(&keys, "key", "signer key `FILE` (repeat to sign with several)")
	dir := fs.String("catalog", "", "check the signed records as tills would trust them appended to the catalog in `DIR`")
	trustPath := fs.String("trust", "", "trust `FILE` (default: DIR/trust)")
	outDir := fs.String("out", "", "write each signed record into `DIR`, named as its FILE with the extension .signed")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(keys) == 0 || *outDir != "" && len(rest) == 0 {
		fs.Usage()
		return errUsage
	}
	if *dir == "" && *trustPath != "" {
		e.errorf("sign: --trust needs --catalog")
		return errUsage
	}
	signers, _, err := readSigners(keys)
	if err != nil {
		return err
	}
	names := rest
	if len(names) == 0 {
		names = []string{"standard input"}
	}
	signed := make([][]byte, len(names))
	errs := make([]error, len(names))
	workers := min(runtime.GOMAXPROCS(0), len(names))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(names); i += workers {
				signed[i], errs[i] = e.signOne(names[i], len(rest) == 0, signers)
			}
		}()
	}
	wg.Wait()
	bad := 0
	for _, err := range errs {
		if err != nil {
			e.errorf("%v", err)
			bad++
		}
	}
	if bad > 0 {
		if len(names) > 1 {
			e.errorf("sign: %d of %d records refused, nothing written", bad, len(names))
		}
		return exitError(1)
	}
	if *dir != "" {
		cat, err := openPublished(*dir, *trustPath)
		if err != nil {
			return err
		}
		defer cat.Close()
		if err := catalog.Admit(cat.Catalog, cat.Trust, signed); err != nil {
			var re *catalog.RefusedError
			if !errors.As(err, &re) {
				return fmt.Errorf("sign: not signed: %w", err)
			}
			for _, r := range re.Refused {
				e.errorf("sign: refused %s (%s), not signed: %s (checked as record %d of catalog %s)", names[r.N], r.Name, r.Why, r.Index, *dir)
			}
			return exitError(1)
		}
	}
	if len(rest) <= 1 && *outDir == "" {
		_, err = e.stdout.Write(signed[0])
		return err
	}
	if *outDir != "" {
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
	}
	seen := make(map[string]string, len(names))
	for _, name := range names {
		out := signedName(name, *outDir)
		if prev, ok := seen[out]; ok {
			return fmt.Errorf("sign: %s and %s would both be signed into %s: give them different names", prev, name, out)
		}
		seen[out] = name
	}
	for i, name := range names {
		if err := os.WriteFile(signedName(name, *outDir), signed[i], 0o644); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
	}
	fmt.Fprintf(e.stdout, "signed %d records\n", len(names))
	return nil
}

// signOne reads and signs one record body.
func (e *env) signOne(name string, stdin bool, signers []catalog.Signer) ([]byte, error) {
	var body []byte
	var err error
	if stdin {
		body, err = io.ReadAll(io.LimitReader(e.stdin, catalog.MaxRecordSize+1))
	} else {
		if filepath.Ext(name) == ".signed" {
			return nil, fmt.Errorf("%s is a signed record already", name)
		}
		body, err = readLimited(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	if strings.Contains(string(body), "\r\n") {
		return nil, fmt.Errorf("%s: record has CRLF line ends; records use LF only", name)
	}
	if _, err := catalog.ParseRecord(body); err != nil {
		return nil, fmt.Errorf("%s: record does not parse, not signed: %w", name, err)
	}
	signed, err := catalog.Sign(body, signers...)
	if err != nil {
		return nil, err
	}
	if len(signed) > catalog.MaxRecordSize {
		return nil, fmt.Errorf("%s: not signed: the signed record would be %d bytes, and a catalog record is at most %d (signatures included)", name, len(signed), catalog.MaxRecordSize)
	}
	return signed, nil
}

// readLimited reads a record file, refusing one too long to be a record
// before reading it all.
func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, catalog.MaxRecordSize+1))
}

// readPub reads a verifier key file, as key generate writes NAME.pub.
func readPub(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read verifier key: %w", err)
	}
	vkey := strings.TrimSpace(string(b))
	switch {
	case strings.HasPrefix(vkey, "PRIVATE+KEY+"):
		return "", fmt.Errorf("%s is a signer key, which stays secret: give the .pub file key generate wrote beside it", file)
	case strings.ContainsAny(vkey, "\r\n"):
		return "", fmt.Errorf("%s: want one line, a verifier key (a .pub file from smartcheck key generate)", file)
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("%s: not a verifier key: %v (is it a .pub file from smartcheck key generate?)", file, err)
	}
	return vkey, nil
}

// keyFlags names the flag behind each line of a key record, so that a
// record the parser refuses is reported in the terms the user typed.
var keyFlags = map[string]string{"org": "--org", "role": "--role", "scope": "--scope", "status": "status"}

// keyRecordBody writes a key record's body (catalog.KeyRecordBody, which
// holds the rules: roles, which scopes a role may hold). A value it
// refuses is a usage error, named by its flag; a bad key in pub is not.
func (e *env) keyRecordBody(k catalog.KeyRecord, pub string) ([]byte, error) {
	for flag, v := range map[string]string{"--org": k.Org, "--role": k.Role} {
		if strings.ContainsAny(v, "\r\n") {
			// One line each: a line break would smuggle in lines of its own.
			e.errorf("%s %q: want one line", flag, v)
			return nil, errUsage
		}
	}
	body, err := catalog.KeyRecordBody(k)
	var se *catalog.SyntaxError
	if errors.As(err, &se) {
		if flag, ok := keyFlags[se.Key]; ok {
			e.errorf("%s: %s", flag, se.Msg)
			return nil, errUsage
		}
		if se.Key == "key" {
			return nil, fmt.Errorf("%s: %s", pub, se.Msg)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("key record: %w", err)
	}
	return body, nil
}

// keyRegister prints the body of a smartcheck-key/1 record registering
// the key in PUBFILE, for the publisher to sign (catalog.md, "Scope").
func (e *env) keyRegister(args []string) error {
	fs := e.newFlags("key register", "--org ORG --role ROLE --scope SCOPE [--scope SCOPE...] PUBFILE")
	org := fs.String("org", "", "`ORG`: the organisation that holds the key")
	role := fs.String("role", "", "`ROLE`: manufacturer, authorised-rep, curator or notice-issuer")
	var scopes multiFlag
	fs.Var(&scopes, "scope", "what the key may sign, one `SCOPE` a flag: gtin PREFIX (a GS1 Company Prefix, or a GTIN-13), gtin * (curators), notice PREFIX (notice issuers)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1 || *org == "" || *role == "":
		fs.Usage()
		return errUsage
	case len(scopes) == 0:
		e.errorf("key register: give at least one --scope: what the key may sign (gtin PREFIX, gtin *, notice PREFIX)")
		return errUsage
	}
	k := catalog.KeyRecord{Org: *org, Role: *role, Status: "active"}
	for _, s := range scopes {
		sc, err := catalog.ParseScope(s)
		if err != nil {
			e.errorf("--scope: %v", err)
			return errUsage
		}
		k.Scopes = append(k.Scopes, sc)
	}
	if k.Key, err = readPub(rest[0]); err != nil {
		return err
	}
	body, err := e.keyRecordBody(k, rest[0])
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(body)
	return err
}

// keyRevoke prints the body of a smartcheck-key/1 record revoking the key
// in PUBFILE. The record must name an org and a role, though a key's org
// and role come from its first active record (catalog.md): with --catalog
// they are taken from the catalog that registers the key, so the
// revocation says what the log says (and --org and --role, if given too,
// must agree with it); without it, --org and --role are required.
func (e *env) keyRevoke(args []string) error {
	fs := e.newFlags("key revoke", "[--org ORG --role ROLE | --catalog DIR [--trust FILE]] PUBFILE")
	org := fs.String("org", "", "`ORG`: the organisation the key is registered to")
	role := fs.String("role", "", "`ROLE`: the key's role")
	dir := fs.String("catalog", "", "take org and role from the catalog in `DIR`, which must register the key")
	trustPath := fs.String("trust", "", "trust `FILE` (default: DIR/trust)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	if *dir == "" && (*org == "" || *role == "") {
		e.errorf("key revoke: a revocation names the key's org and role: give --org and --role, or --catalog DIR to take them from the catalog that registers the key")
		return errUsage
	}
	if *dir == "" && *trustPath != "" {
		e.errorf("key revoke: --trust needs --catalog")
		return errUsage
	}
	vkey, err := readPub(rest[0])
	if err != nil {
		return err
	}
	k := catalog.KeyRecord{Key: vkey, Org: *org, Role: *role, Status: "revoked"}
	if *dir != "" {
		cat, err := openPublished(*dir, *trustPath)
		if err != nil {
			return err
		}
		defer cat.Close()
		info, revoked, ok := cat.Key(vkey)
		s := catalog.Sanitize
		switch {
		case !ok:
			return fmt.Errorf("key revoke: catalog %s does not register key %s: nothing to revoke", *dir, s(vkey))
		case revoked:
			return fmt.Errorf("key revoke: catalog %s already revokes key %s (%s, %s)", *dir, s(info.Name), s(info.Org), info.Role)
		case *org != "" && *org != info.Org, *role != "" && *role != info.Role:
			return fmt.Errorf("key revoke: catalog %s registers key %s to %q as %s, which --org or --role contradicts", *dir, s(info.Name), s(info.Org), info.Role)
		}
		k.Org, k.Role = info.Org, info.Role
	}
	body, err := e.keyRecordBody(k, rest[0])
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(body)
	return err
}
