package main

import (
	"net/http"
	"net/http/httptest"

	"github.com/rogpeppe/go-internal/testscript"
)

// serveCmd is the testscript command
//
//	serve [-norange] DIR
//
// which serves DIR over HTTP on the loopback interface, as any static
// file server would, for the rest of the script, and sets $URL to it.
// With -norange the server ignores Range requests.
func serveCmd(ts *testscript.TestScript, neg bool, args []string) {
	noRange := len(args) == 2 && args[0] == "-norange"
	if noRange {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: serve [-norange] DIR")
	}
	h := http.FileServer(http.Dir(ts.MkAbs(args[0])))
	if noRange {
		files := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Range")
			files.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv("URL", srv.URL+"/")
}
