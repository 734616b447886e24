package scan

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// referenceDir holds the ZXing project's blackbox photographs
// (../shared/testdata/barcodes/README.md), beside the clone of the
// project: this package is two levels below its root.
const referenceDir = "../../shared/testdata/barcodes"

// floors are the images per folder Decode read correctly when the
// decoder was last tuned: the test fails if a change reads fewer. Raise
// them when it reads more. For comparison, zxing-cpp's ZXingReader 1.4
// reads 294 of the 351 (docs/decoders.md).
var floors = map[string]int{
	"code128-1":    7,
	"code128-3":    2,
	"datamatrix-1": 23,
	"datamatrix-3": 18,
	"ean13-1":      32,
	"ean13-3":      55,
	"ean13-5":      0,
	"ean8-1":       8,
	"itf-1":        14,
	"qrcode-1":     20,
	"qrcode-3":     40,
	"qrcode-5":     19,
	"upca-1":       18,
	"upca-3":       14,
	"upca-5":       31,
	"upce-1":       3,
	"upce-3":       9,
}

// formatOf is the format of the codes in a reference folder.
func formatOf(folder string) string {
	kind, _, _ := strings.Cut(folder, "-")
	return map[string]string{
		"code128": Code128, "datamatrix": DataMatrix, "ean13": EAN13, "ean8": EAN8,
		"itf": ITF, "qrcode": QRCode, "upca": UPCA, "upce": UPCE,
	}[kind]
}

type refImage struct {
	folder, name string
	img          image.Image
	want         string // the expected text; "" in falsepositives/
}

var loadRefs = sync.OnceValues(func() ([]refImage, error) {
	dirs, err := os.ReadDir(referenceDir)
	if err != nil {
		return nil, err
	}
	var refs []refImage
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(referenceDir, d.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			ext := filepath.Ext(f.Name())
			if ext != ".png" && ext != ".jpg" && ext != ".gif" {
				continue
			}
			path := filepath.Join(referenceDir, d.Name(), f.Name())
			img, err := readImage(path)
			if err != nil {
				return nil, err
			}
			r := refImage{folder: d.Name(), name: f.Name(), img: img}
			if d.Name() != "falsepositives" {
				b, err := os.ReadFile(strings.TrimSuffix(path, ext) + ".txt")
				if err != nil {
					return nil, err
				}
				r.want = string(b)
			}
			refs = append(refs, r)
		}
	}
	return refs, nil
})

func readImage(path string) (image.Image, error) {
	img, err := ReadImageFile(path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// references returns the reference images, skipping the test when they
// are absent, except in CI, which has them (STYLE.md, habit 6).
func references(tb testing.TB) []refImage {
	tb.Helper()
	refs, err := loadRefs()
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("reference images missing in CI: %v", err)
		}
		tb.Skipf("reference images not found beside the project (%v): skipping", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return refs
}

type tally struct{ images, hits, misreads, none int }

// TestReferenceAccuracy decodes every reference photograph and holds the
// decoder to three things: no misread anywhere (a result that is not the
// expected text, in the folder's format), nothing found in
// falsepositives/, and at least floors[folder] images read per folder.
// go test -v prints the table.
func TestReferenceAccuracy(t *testing.T) {
	refs := references(t)
	d := NewDecoder(Options{})
	tallies := map[string]*tally{}
	var folders []string
	for _, r := range refs {
		tl := tallies[r.folder]
		if tl == nil {
			tl = &tally{}
			tallies[r.folder] = tl
			folders = append(folders, r.folder)
		}
		tl.images++
		results := d.Decode(r.img)
		hit, misread := false, false
		for _, res := range results {
			if r.folder != "falsepositives" && res.Format == formatOf(r.folder) && res.Text == r.want {
				hit = true
				continue
			}
			misread = true
			t.Errorf("%s/%s: read %s %q, want %s %q", r.folder, r.name, res.Format, res.Text, formatOf(r.folder), r.want)
		}
		switch {
		case hit:
			tl.hits++
		case len(results) == 0:
			tl.none++
		}
		if misread {
			tl.misreads++
		}
	}
	slices.Sort(folders)
	var total tally
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %6s %5s %8s %7s\n", "folder", "images", "hits", "misreads", "nothing")
	for _, f := range folders {
		tl := tallies[f]
		fmt.Fprintf(&b, "%-16s %6d %5d %8d %7d\n", f, tl.images, tl.hits, tl.misreads, tl.none)
		if f != "falsepositives" {
			total.images += tl.images
			total.hits += tl.hits
			total.misreads += tl.misreads
			total.none += tl.none
		}
		if tl.hits < floors[f] {
			t.Errorf("%s: read %d of %d images, fewer than the %d it read before", f, tl.hits, tl.images, floors[f])
		}
	}
	fmt.Fprintf(&b, "%-16s %6d %5d %8d %7d (%.1f%%)\n", "total", total.images, total.hits, total.misreads, total.none,
		100*float64(total.hits)/float64(total.images))
	t.Logf("reference accuracy:\n%s", b.String())
}

// BenchmarkDecodeReference decodes every reference photograph once per
// iteration and reports the median and mean time per image. Decode uses
// one goroutine, so this is the time on one core; run it with -cpu 1 to
// keep the garbage collector on that core too:
//
//	go test -run XXX -bench DecodeReference -cpu 1 ./scan
func BenchmarkDecodeReference(b *testing.B) {
	refs := references(b)
	d := NewDecoder(Options{})
	var times []time.Duration
	for b.Loop() {
		for _, r := range refs {
			t0 := time.Now()
			d.Decode(r.img)
			times = append(times, time.Since(t0))
		}
	}
	slices.Sort(times)
	var sum time.Duration
	for _, t := range times {
		sum += t
	}
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms/img")
	b.ReportMetric(float64(sum)/float64(len(times))/1e6, "mean-ms/img")
	b.ReportMetric(float64(times[len(times)*9/10])/1e6, "p90-ms/img")
}
