package catalog

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// netError says in words why a request failed, what a person at a till
// can act on ("nothing is listening at 127.0.0.1:9"), instead of Go's
// `Get "…": dial tcp …: connect: connection refused`. It wraps the error
// it describes, so errors.Is and errors.As still see it.
type netError struct {
	msg string
	err error
}

func (e *netError) Error() string { return e.msg }
func (e *netError) Unwrap() error { return e.err }

// netWords describes a request's failure in words; an error it does not
// recognise is returned as it is, without the method and URL that
// net/http puts in front of it.
func netWords(err error) error {
	if err == nil {
		return nil
	}
	inner := err
	if ue, ok := errors.AsType[*url.Error](err); ok {
		inner = ue.Err
	}
	words := func(format string, args ...any) error {
		return &netError{fmt.Sprintf(format, args...), err}
	}
	addr := "the server"
	if op, ok := errors.AsType[*net.OpError](inner); ok && op.Addr != nil {
		addr = op.Addr.String()
	}
	var (
		unknownCA   x509.UnknownAuthorityError
		badHost     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		notTLS      tls.RecordHeaderError
		alert       tls.AlertError
	)
	switch {
	case errors.As(inner, new(*net.DNSError)):
		d, _ := errors.AsType[*net.DNSError](inner)
		switch {
		case d.IsNotFound:
			return words("could not find host %s (no such name in DNS)", d.Name)
		case d.IsTimeout:
			return words("timed out looking up host %s", d.Name)
		}
		return words("could not look up host %s: %s", d.Name, d.Err)
	case errors.Is(inner, syscall.ECONNREFUSED):
		return words("nothing is listening at %s", addr)
	case errors.Is(inner, syscall.ECONNRESET):
		return words("the connection to %s was reset", addr)
	case errors.Is(inner, syscall.ENETUNREACH), errors.Is(inner, syscall.EHOSTUNREACH):
		return words("no route to %s: is the network up?", addr)
	case errors.As(inner, &unknownCA):
		return words("the server's TLS certificate is not signed by an authority this machine trusts")
	case errors.As(inner, &badHost):
		return words("the server's TLS certificate is not for %s", badHost.Host)
	case errors.As(inner, &invalidCert):
		if invalidCert.Reason == x509.Expired {
			return words("the server's TLS certificate has expired or is not valid yet")
		}
		return words("the server's TLS certificate is not valid: %s", invalidCert.Detail)
	case errors.As(inner, &notTLS), strings.Contains(inner.Error(), "server gave HTTP response to HTTPS client"):
		return words("the server does not speak TLS: is the URL http:// rather than https://?")
	case errors.As(inner, &alert):
		return words("the server refused the TLS connection (%s)", alert.Error())
	case errors.Is(inner, io.EOF), errors.Is(inner, io.ErrUnexpectedEOF):
		return words("the server closed the connection without an answer")
	}
	if ne, ok := errors.AsType[net.Error](inner); ok && ne.Timeout() {
		return words("timed out connecting to %s", addr)
	}
	if inner != err {
		return &netError{inner.Error(), err}
	}
	return err
}
