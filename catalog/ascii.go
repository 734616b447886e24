package catalog

import (
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// ASCIIAddress gives a contact or web address with its host in ASCII
// (punycode, xn--) form, as verdicts.md requires for everything shown,
// printed or put in a QR code: what a person reads is then where the link
// goes, and a look-alike host (Cyrillic а for Latin a) shows as the
// xn-- name it is. An https URI's host and a mailto: address's domain
// are converted; anything else, or a host that is not a valid
// internationalised domain name, is returned as it is (the verdict rules
// judge whether it is usable).
func ASCIIAddress(s string) string {
	if isASCII(s) {
		return s
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return s
	}
	switch strings.ToLower(scheme) {
	case "https", "http":
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return s
		}
		host, err := idna.Lookup.ToASCII(u.Hostname())
		if err != nil {
			return s
		}
		if port := u.Port(); port != "" {
			host += ":" + port
		}
		u.Host = host
		return u.String()
	case "mailto":
		addr, query, hasQuery := strings.Cut(rest, "?")
		local, domain, ok := strings.Cut(addr, "@")
		if !ok {
			return s
		}
		d, err := idna.Lookup.ToASCII(domain)
		if err != nil {
			return s
		}
		out := scheme + ":" + local + "@" + d
		if hasQuery {
			out += "?" + query
		}
		return out
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
