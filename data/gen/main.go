// Command gen makes the demo catalog built into smartcheck from its
// sources: run `go generate ./data` from the module root.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/smartcheck-uk/smartcheck/data"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	// go generate runs in the directory of the file that asks for it: data/.
	cp, recs, trust, err := data.BuildDemo(os.DirFS("demo"))
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join("demo", "catalog")
	if err := os.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	for name, b := range map[string][]byte{"checkpoint": cp, "records": recs, "trust": trust} {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("wrote %s: %d bytes of records", out, len(recs))
}
