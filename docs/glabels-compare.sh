#!/usr/bin/env bash
# Makes the same 1,000 shelf labels (Avery L7160 sheets, A4) with
# smartcheck and with gLabels' batch tool, and prints both times.
#
#   docs/glabels-compare.sh [N]      (default 1000 labels)
#
# Needs Go, and glabels-3-batch (Debian package glabels, with glabels-data).
# The labels come from a synthetic catalog of N products (catalog.WriteSynthetic),
# judged as on 2026-11-24; their texts are made by labels.Make, so both tools
# print the same words. smartcheck's time is the whole command: opening and
# verifying the catalog, judging every product (a signature check each),
# laying out and writing the PDF. gLabels gets the finished texts in a CSV
# and only merges and draws them: text, an EAN-13 and a QR code a label.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
command -v glabels-3-batch >/dev/null || { echo "glabels-3-batch is missing: apt-get install glabels glabels-data" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/smartcheck" ./cmd/smartcheck
mkdir -p "$work/gen"
cat >"$work/gen/main.go" <<'EOF'
// Writes a synthetic catalog and, for its first N labelable products,
// products.csv (for smartcheck) and glabels.csv (the same labels' texts).
package main

import (
	"encoding/csv"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
)

func main() {
	dir := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	trust, err := catalog.WriteSynthetic(filepath.Join(dir, "catalog"), n+n/8+120, "glabels-compare", issued, issued.AddDate(1, 0, 0))
	if err != nil {
		log.Fatal(err)
	}
	cat, err := catalog.OpenDir(filepath.Join(dir, "catalog"), trust, nil)
	if err != nil {
		log.Fatal(err)
	}
	today := catalog.Date{Year: 2026, Month: 11, Day: 24}
	ctx := labels.Context{Checked: today, CatalogSize: cat.Size()}
	pf, _ := os.Create(filepath.Join(dir, "products.csv"))
	gf, _ := os.Create(filepath.Join(dir, "glabels.csv"))
	p, g := csv.NewWriter(pf), csv.NewWriter(gf)
	p.Write([]string{"gtin", "price", "shelf"})
	g.Write([]string{"title", "support", "note", "passwords", "contact", "price", "footer", "ean", "qr"})
	made := 0
	for i := 100; made < n; i++ {
		gtin := catalog.SyntheticGTIN(i)
		it := labels.Item{GTIN: gtin, Price: "129.99", Shelf: "A1"}
		l, err := labels.Make(cat.Judge(catalog.Query{GTIN: gtin, Today: today}), it, ctx)
		if err != nil {
			continue // a STOP or CHECK product: smartcheck would refuse it too
		}
		p.Write([]string{gtin, it.Price, it.Shelf})
		g.Write([]string{l.Title, l.Support, l.Note, l.Passwords, l.Contact, l.Price, l.Footer + " · Shelf " + l.Shelf, gtin[1:13], l.QR})
		made++
	}
	p.Flush()
	g.Flush()
	pf.Close()
	gf.Close()
	os.WriteFile(filepath.Join(dir, "trust"), trust.Format(), 0o644)
}
EOF
go run "$work/gen/main.go" "$work" "$n"

# The gLabels document: Avery L7160, merged from glabels.csv. Every object
# needs its a0..a5 matrix, or gLabels draws nothing.
m='a0="1" a1="0" a2="0" a3="1" a4="0" a5="0"'
span() { echo "<Span color=\"0x000000ff\" font_family=\"Sans\" font_size=\"$1\" font_weight=\"$2\" font_italic=\"False\" line_spacing=\"1\"><Field name=\"$3\"/></Span>"; }
cat >"$work/labels.glabels" <<EOF
<?xml version="1.0"?>
<Glabels-document xmlns="http://glabels.org/xmlns/3.0/">
  <Template brand="Avery" part="L7160" size="A4" description="Mailing labels">
    <Meta category="label"/>
    <Label-rectangle id="0" width="180pt" height="108pt" round="5pt" x_waste="0pt" y_waste="0pt">
      <Markup-margin size="5pt"/>
      <Layout nx="3" ny="7" x0="20.44pt" y0="42.94pt" dx="187.2pt" dy="108pt"/>
    </Label-rectangle>
  </Template>
  <Objects id="0" rotate="False">
    <Object-text x="6pt" y="5pt" w="168pt" h="11pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 8.5 bold title)</Object-text>
    <Object-text x="6pt" y="15pt" w="168pt" h="9pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 6.5 bold support)</Object-text>
    <Object-text x="6pt" y="23pt" w="168pt" h="8pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 5.5 bold note)</Object-text>
    <Object-text x="6pt" y="30pt" w="168pt" h="8pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 5.5 normal passwords)</Object-text>
    <Object-text x="6pt" y="37pt" w="168pt" h="8pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 5.5 normal contact)</Object-text>
    <Object-barcode x="8pt" y="46pt" w="80pt" h="58pt" style="EAN-13" backend="gnu-barcode" text="True" checksum="True" color="0x000000ff" field="ean" format="12" $m/>
    <Object-text x="92pt" y="48pt" w="40pt" h="14pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 9 bold price)</Object-text>
    <Object-text x="92pt" y="80pt" w="40pt" h="24pt" justify="Left" valign="Top" auto_shrink="True" $m>$(span 4 normal footer)</Object-text>
    <Object-barcode x="132pt" y="56pt" w="46pt" h="46pt" style="IEC18004" backend="libqrencode" text="False" checksum="True" color="0x000000ff" field="qr" format="0" $m/>
  </Objects>
  <Merge type="Text/Comma/Line1Keys" src="$work/glabels.csv"/>
</Glabels-document>
EOF

echo "$n labels on Avery L7160 sheets:"
for i in 1 2 3; do
  /usr/bin/env time -f "smartcheck labels (open and verify the catalog, judge, lay out, PDF): %e s wall, %U s user" \
    "$work/smartcheck" labels --catalog "$work/catalog" --trust "$work/trust" --state "$work/state-$i" --at 2026-11-24 \
    --csv "$work/products.csv" -o "$work/smartcheck.pdf" >/dev/null
done
for i in 1 2; do
  /usr/bin/env time -o "$work/time" -f "glabels-3-batch (merge the finished texts and draw): %e s wall, %U s user" \
    glabels-3-batch -o "$work/glabels.pdf" "$work/labels.glabels" >/dev/null 2>"$work/glabels.log" || { cat "$work/glabels.log" >&2; exit 1; }
  cat "$work/time"
done
echo "PDF sizes: smartcheck $(du -k "$work/smartcheck.pdf" | cut -f1) KB, gLabels $(du -k "$work/glabels.pdf" | cut -f1) KB"
if command -v pdfinfo >/dev/null; then
  echo "pages: smartcheck $(pdfinfo "$work/smartcheck.pdf" | awk '/^Pages/{print $2}'), gLabels $(pdfinfo "$work/glabels.pdf" | awk '/^Pages/{print $2}')"
fi
if [ -n "${KEEP:-}" ]; then cp "$work/smartcheck.pdf" "$work/glabels.pdf" "$KEEP"/; fi
