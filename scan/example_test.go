package scan_test

import (
	"fmt"

	"github.com/smartcheck-uk/smartcheck/scan"
)

func ExampleParse() {
	for _, s := range []string{
		"9520000000011",
		"]E001234565",
		"]C10109520000000011" + "17281231" + "10B2402" + "\x1d" + "21X1",
		"https://id.gs1.org/01/09520000000011/10/B2402?17=281231",
		"9520000000012",
		"]C100106141411234567897",
	} {
		c, err := scan.Parse(s)
		if err != nil {
			fmt.Printf("%q: %v\n", s, err)
			continue
		}
		fmt.Printf("%q: GTIN %s batch %q serial %q expiry %q\n", s, c.GTIN, c.Batch, c.Serial, c.Expiry)
	}
	// Output:
	// "9520000000011": GTIN 09520000000011 batch "" serial "" expiry ""
	// "]E001234565": GTIN 00012345000065 batch "" serial "" expiry ""
	// "]C101095200000000111728123110B2402\x1d21X1": GTIN 09520000000011 batch "B2402" serial "X1" expiry "281231"
	// "https://id.gs1.org/01/09520000000011/10/B2402?17=281231": GTIN 09520000000011 batch "B2402" serial "" expiry "281231"
	// "9520000000012": bad check digit in GTIN 9520000000012: want 1, got 2
	// "]C100106141411234567897": not a product code: no GTIN, AI (01) or (02), among (00)
}

func ExampleCode_Bracketed() {
	c, err := scan.Parse("https://id.gs1.org/01/09520000000011/10/B2402?17=281231")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Bracketed())
	// Output: (01)09520000000011(10)B2402(17)281231
}
