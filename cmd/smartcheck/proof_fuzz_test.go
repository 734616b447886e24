package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/data"
)

// FuzzVerifyProofInput feeds verify-proof's reading of its input (a
// lookup --json --proof line, a proof object, or tlog-proof text) and its
// checks against the built-in demo's trust. What it accepts must be a
// record of the demo log at its own index, and a JSON's fields must say
// what its tlog_proof says:
//
//	go test -run=XXX -fuzz=FuzzVerifyProofInput -fuzztime=60s -fuzzminimizetime=0 ./cmd/smartcheck
//
// (minimizing an input here stalls the fuzzer for many seconds: hence
// -fuzzminimizetime=0)
func FuzzVerifyProofInput(f *testing.F) {
	cpMsg, records, tf := data.Demo()
	trust, err := catalog.ParseTrust(tf)
	if err != nil {
		f.Fatal(err)
	}
	cat, err := catalog.OpenBytes(cpMsg, records, trust, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, i := range []int64{0, 10, cat.Size() - 1} {
		p, err := cat.InclusionProof("", i)
		if err != nil {
			f.Fatal(err)
		}
		rp := &reportProof{Index: i, Record: string(p.Record), TreeSize: cat.Size(), Root: cat.Checkpoint.Root.String(),
			Hashes: []string{}, Checkpoint: string(p.Checkpoint), Witnesses: []string{}, TlogProof: p.Format()}
		for _, h := range p.Hashes {
			rp.Hashes = append(rp.Hashes, h.String())
		}
		obj, _ := json.Marshal(rp)
		line, _ := json.Marshal(map[string]any{"gtin": "09520000000028", "proof": rp})
		f.Add(obj)
		f.Add(line)
		f.Add([]byte(p.Format()))
	}
	f.Add([]byte(`{"proof":{"tlog_proof":""}}`))
	f.Add([]byte(`{"tlog_proof":"c2sp.org/tlog-proof@v1\n\n"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		text, fields, err := proofText(in)
		if err != nil {
			return
		}
		p, err := catalog.ParseProof(text)
		if err != nil {
			return
		}
		cp, err := p.Verify(trust)
		if err != nil {
			return
		}
		rec, err := cat.Record(p.Index)
		if err != nil || !bytes.Equal(rec, p.Record) || cp.Root != cat.Checkpoint.Root {
			t.Fatalf("verified record %d, which is not the demo log's", p.Index)
		}
		if fields.agree(p, cp) != nil || fields == nil {
			return
		}
		// Accepted JSON: its fields are the proof's.
		if fields.Index != p.Index || fields.Record != "" && fields.Record != string(rec) {
			t.Fatalf("accepted JSON whose fields differ from its proof: %+v", fields)
		}
	})
}
