package labels

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenPrinter(t *testing.T) {
	tests := []struct {
		uri     string
		want    string // the Printer's type, or "" for an error
		wantErr string
	}{
		{"socket://192.0.2.10:9100", "*labels.socketPrinter", ""},
		{"socket://[::1]:9100", "*labels.socketPrinter", ""},
		{"SOCKET://printer.local:9100", "*labels.socketPrinter", ""},
		{"socket://192.0.2.10", "", "want socket://HOST:PORT"},
		{"socket:192.0.2.10:9100", "", "want socket://HOST:PORT"},
		{"socket://192.0.2.10:9100/queue", "", "want socket://HOST:PORT"},
		{"/dev/usb/lp0", "*labels.devicePrinter", ""},
		{"file:/tmp/receipt.bin", "*labels.filePrinter", ""},
		{"file:receipt.bin", "*labels.filePrinter", ""},
		{"file:///tmp/receipt.bin", "*labels.filePrinter", ""},
		{"file://otherhost/tmp/receipt.bin", "", "on this machine"},
		{"file:", "", "want file:PATH"},
		{"cups:shelf-labels", "*labels.cupsPrinter", ""},
		{"cups:labels@127.0.0.1:8631", "*labels.cupsPrinter", ""},
		{"cups://queue", "", "want cups:QUEUE"},
		{"cups:", "", "want cups:QUEUE"},
		{"cups:a b", "", "want cups:QUEUE"},
		{"ipp://192.0.2.10:631/ipp/print", "*labels.ippPrinter", ""},
		{"ipp://printer.local/ipp/print", "*labels.ippPrinter", ""},
		{"ipps://printer.local/ipp/print", "*labels.ippPrinter", ""},
		{"ipp:printer", "", "want ipp://HOST"},
		{"ipp://user@printer/ipp/print", "", "want ipp://HOST"},
		{"lpd://queue", "", "known schemes: cups:, file:, ipp:, ipps:, socket:"},
		{"lp0", "", "want socket://HOST:PORT, a device path"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			p, err := OpenPrinter(tt.uri)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OpenPrinter(%q) = %v, %v; want error containing %q", tt.uri, p, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := typeName(p); got != tt.want {
				t.Errorf("type %s, want %s", got, tt.want)
			}
			if p.String() != tt.uri {
				t.Errorf("String() = %q, want %q", p.String(), tt.uri)
			}
		})
	}
}

func typeName(p Printer) string {
	switch p.(type) {
	case *socketPrinter:
		return "*labels.socketPrinter"
	case *devicePrinter:
		return "*labels.devicePrinter"
	case *filePrinter:
		return "*labels.filePrinter"
	case *cupsPrinter:
		return "*labels.cupsPrinter"
	case *ippPrinter:
		return "*labels.ippPrinter"
	}
	return "?"
}

// TestSocketPrinter prints to a listener on loopback that plays a raw
// port-9100 printer: it reads each connection to its end.
func TestSocketPrinter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var jobs [][]byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			b, _ := io.ReadAll(c)
			c.Close()
			mu.Lock()
			jobs = append(jobs, b)
			mu.Unlock()
		}
	}()
	p, err := OpenPrinter("socket://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	job1 := append([]byte{esc, '@'}, bytes.Repeat([]byte("receipt one\n"), 5000)...)
	job2 := []byte{esc, '@', 'b', lf}
	// Two jobs at once: each arrives whole, on its own connection.
	var wg sync.WaitGroup
	for _, j := range [][]byte{job1, job2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Print(context.Background(), j); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// The printer has the bytes once Print returns; give the listener
	// time to accept and read both connections.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(jobs)
		mu.Unlock()
		if n == 2 {
			break
		}
	}
	ln.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(jobs) != 2 {
		t.Fatalf("%d jobs arrived, want 2", len(jobs))
	}
	if !(bytes.Equal(jobs[0], job1) && bytes.Equal(jobs[1], job2) || bytes.Equal(jobs[0], job2) && bytes.Equal(jobs[1], job1)) {
		t.Errorf("jobs arrived altered: %d and %d bytes", len(jobs[0]), len(jobs[1]))
	}
}

func TestSocketPrinterRefused(t *testing.T) {
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, _ := OpenPrinter("socket://" + addr)
	err = p.Print(context.Background(), []byte("x"))
	if err == nil {
		t.Fatal("printing to a closed port succeeded")
	}
	for _, want := range []string{"socket://" + addr, "cannot connect", "connection refused", "is the printer switched on"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Count(err.Error(), addr) != 1 {
		t.Errorf("error repeats the address: %q", err)
	}
}

func TestSocketPrinterCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, _ := OpenPrinter("socket://" + ln.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Print(ctx, []byte("x")); err == nil {
		t.Fatal("a cancelled print succeeded")
	}
}

func TestFilePrinter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "receipts.bin")
	for _, uri := range []string{"file:" + path, "file://" + path} {
		p, err := OpenPrinter(uri)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Print(context.Background(), []byte(uri+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	if want := "file:" + path + "\nfile://" + path + "\n"; string(got) != want {
		t.Errorf("file holds %q, want both jobs appended: %q", got, want)
	}
	p, _ := OpenPrinter("file:" + filepath.Join(dir, "missing", "x.bin"))
	if err := p.Print(context.Background(), nil); err == nil || strings.Count(err.Error(), "missing") != 1 {
		t.Errorf("print into a missing directory: %v", err)
	}
}

func TestDevicePrinter(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "lp0")
	p, _ := OpenPrinter(dev)
	err := p.Print(context.Background(), []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "no such device") {
		t.Fatalf("print to a missing device: %v", err)
	}
	if _, err := os.Stat(dev); err == nil {
		t.Fatal("printing to a missing device created a file")
	}
	os.WriteFile(dev, nil, 0o644) // stands in for the device node
	if err := p.Print(context.Background(), []byte("job")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dev); string(got) != "job" {
		t.Errorf("device got %q", got)
	}
}
