package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

func (e *env) key(args []string) error {
	if len(args) == 0 || args[0] != "generate" {
		e.errorf("usage: smartcheck key generate NAME")
		return errUsage
	}
	fs := e.newFlags("key generate", "NAME")
	rest, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	name := rest[0]
	skey, vkey, err := catalog.GenerateKey(rand.Reader, name)
	if err != nil {
		return err
	}
	// O_EXCL: never overwrite a key, which may be the only copy.
	f, err := os.OpenFile(name+".key", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write signer key: %w", err)
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return fmt.Errorf("write signer key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write signer key: %w", err)
	}
	if err := writeNew(name+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return fmt.Errorf("write verifier key: %w", err)
	}
	fmt.Fprintf(e.stdout, "wrote %s.key (secret) and %s.pub: %s\n", name, name, vkey)
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

func (e *env) sign(args []string) error {
	fs := e.newFlags("sign", "--key FILE [--key FILE...] [FILE]")
	var keys multiFlag
	fs.Var(&keys, "key", "signer key `FILE` (repeat to sign with several)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(keys) == 0 || len(rest) > 1 {
		fs.Usage()
		return errUsage
	}
	signers, _, err := readSigners(keys)
	if err != nil {
		return err
	}
	var body []byte
	name := "standard input"
	if len(rest) == 1 {
		name = rest[0]
		body, err = os.ReadFile(name)
	} else {
		body, err = io.ReadAll(io.LimitReader(e.stdin, catalog.MaxRecordSize+1))
	}
	if err != nil {
		return fmt.Errorf("read record: %w", err)
	}
	if strings.Contains(string(body), "\r\n") {
		return fmt.Errorf("%s: record has CRLF line ends; records use LF only", name)
	}
	if _, err := catalog.ParseRecord(body); err != nil {
		return fmt.Errorf("%s: record does not parse, not signed: %w", name, err)
	}
	note, err := catalog.Sign(body, signers...)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(note)
	return err
}
