package catalog

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestNetWords: a request that fails says why in words, for every way a
// till's network commonly fails, and still unwraps to the error it
// describes.
func TestNetWords(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	tlsServer := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	tlsServer.StartTLS()
	defer tlsServer.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	hangup, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hangup.Close()
	go func() {
		for {
			c, err := hangup.Accept()
			if err != nil {
				return
			}
			// Read the request, then hang up without a word.
			c.Read(make([]byte, 4096))
			c.Close()
		}
	}()
	get := func(client *http.Client, u string) func() error {
		return func() error {
			resp, err := client.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			return err
		}
	}
	given := func(err error) func() error { return func() error { return err } }
	addr, _ := net.ResolveTCPAddr("tcp", "192.0.2.1:443")
	tests := []struct {
		name string
		do   func() error
		want string
		is   error // errors.Is must still find it; nil for no check
	}{
		{"nothing listening", get(http.DefaultClient, "http://"+closedAddr+"/checkpoint"), "nothing is listening at " + closedAddr, syscall.ECONNREFUSED},
		{"no such host", given(&url.Error{Op: "Get", URL: "http://shop.invalid/checkpoint", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "shop.invalid", IsNotFound: true}}}), "could not find host shop.invalid", nil},
		{"DNS timeout", given(&url.Error{Op: "Get", URL: "http://shop.example/", Err: &net.DNSError{Err: "i/o timeout", Name: "shop.example", IsTimeout: true}}), "timed out looking up host shop.example", nil},
		{"connect timeout", given(&url.Error{Op: "Get", URL: "https://192.0.2.1/", Err: &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.ErrDeadlineExceeded}}), "timed out connecting to 192.0.2.1:443", os.ErrDeadlineExceeded},
		{"reset", given(&url.Error{Op: "Get", URL: "https://192.0.2.1/", Err: &net.OpError{Op: "read", Net: "tcp", Addr: addr, Err: os.NewSyscallError("read", syscall.ECONNRESET)}}), "the connection to 192.0.2.1:443 was reset", syscall.ECONNRESET},
		{"unreachable", given(&net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}), "no route to 192.0.2.1:443", nil},
		{"server hangs up", get(http.DefaultClient, "http://"+hangup.Addr().String()+"/checkpoint"), "the server closed the connection without an answer", nil},
		{"unknown certificate authority", get(http.DefaultClient, tlsServer.URL+"/checkpoint"), "not signed by an authority this machine trusts", nil},
		{"certificate for another host", get(tlsServer.Client(), strings.Replace(tlsServer.URL, "127.0.0.1", "localhost", 1)+"/checkpoint"), "the server's TLS certificate is not for localhost", nil},
		{"plain HTTP at https://", get(http.DefaultClient, strings.Replace(plain.URL, "http://", "https://", 1)+"/checkpoint"), "the server does not speak TLS: is the URL http:// rather than https://?", nil},
		{"unknown error: only the URL is dropped", given(&url.Error{Op: "Get", URL: "http://x/", Err: errors.New("something odd")}), "something odd", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("the request succeeded")
			}
			got := netWords(err)
			if !strings.Contains(got.Error(), tt.want) {
				t.Errorf("netWords(%v) = %q, want %q", err, got, tt.want)
			}
			if strings.Contains(got.Error(), "dial tcp") || strings.Contains(got.Error(), `Get "`) {
				t.Errorf("netWords(%v) = %q: Go's words, not ours", err, got)
			}
			if !errors.Is(got, err) {
				t.Errorf("netWords(%v) does not unwrap to it", err)
			}
			if tt.is != nil && !errors.Is(got, tt.is) {
				t.Errorf("netWords(%v) does not unwrap to %v", err, tt.is)
			}
		})
	}
}
