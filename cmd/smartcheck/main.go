// Command smartcheck shows, at the till, at a kiosk and on shelf labels,
// what the UK's PSTI regime makes manufacturers of smart products publish:
// until when a product gets security updates, where to report a security
// problem, how its passwords work, and whether it may be sold.
//
// Usage:
//
//	smartcheck                    same as `smartcheck till`
//	smartcheck till               the staff screen at the till
//	smartcheck kiosk              the shopper screen at an in-store kiosk, with a camera
//	smartcheck lookup ...         look codes up without a screen (for scripts and POS systems)
//	smartcheck serve              a local HTTP service for point-of-sale systems
//	smartcheck labels ...         make and print shelf labels
//	smartcheck scan IMAGE...      decode the barcodes in image files (PNG, JPEG, GIF)
//	smartcheck key generate [--name KEYNAME] NAME  writes NAME.key (signer key, mode 0600) and NAME.pub
//	smartcheck key register|revoke ... PUBFILE
//	smartcheck sign --key FILE [--catalog DIR] [FILE]
//	smartcheck catalog build|append|import|export|withdraw|verify|sync|witness ...
//
// Every command that reads a catalog takes:
//
//	--catalog DIR      the catalog directory; default: the one installed by
//	                   `catalog sync` ($XDG_DATA_HOME/smartcheck/catalog), else
//	                   the demo catalog built into the binary
//	--trust FILE       the trust file; default: DIR/trust
//	--at YYYY-MM-DD    judge as on this date (Europe/London) instead of today
//	--state DIR        where the till remembers the last checkpoint it accepted
//	                   ($XDG_STATE_HOME/smartcheck); a catalog that does not
//	                   extend it (a rollback or a rewritten history) is refused
//
// # till
//
//	smartcheck [till] [--printer URI] [--log FILE] [--support-ended=stop|caution] [--caution-months N]
//	                  [--receipt-columns 48] [--receipt-qr native|raster] [--sync URL [--sync-every 15m]]
//
// The full-screen staff screen for a keyboard-wedge scanner (or typing):
// each scan's verdict in large type with everything behind it, the shift's
// history, and the catalog's state. No printable key is a shortcut: F2
// acknowledges a STOP (scans made meanwhile wait), F4 prints the shopper's
// receipt to --printer (socket://HOST:9100, a device file such as
// /dev/usb/lp0, or file:PATH), Esc clears the field, the arrow and page keys
// scroll the history, F10 or Ctrl+C quits. Every check is appended to the
// due-diligence log (--log, default $XDG_STATE_HOME/smartcheck/checks.jsonl),
// one write a record, which two tills may share; a --log that is not a
// regular file (a named pipe, a device) is refused before the screen starts.
// A catalog that fails verification does not stop the till: every scan is
// then CHECK catalog-untrusted, with the reason.
//
// # kiosk
//
//	smartcheck kiosk [--camera /dev/video0|DIR|FILE.mjpeg] [--idle 30s] [--staff-pin PIN]
//	                 [--camera-size 1280x720] [--camera-format auto|mjpeg|yuyv] [--fps 15] [--confirm 3]
//	                 [--support-ended=stop|caution] [--caution-months N] [--sync URL [--sync-every 15m]]
//
// The full-screen shopper screen of an unattended kiosk. A shopper holds a
// box up to the camera, or scans it with a keyboard-wedge scanner, and
// reads the verdict in large type (word and symbol, so it reads without
// colour) with the shopper texts only: the support end and the time left,
// where to report a security problem, the password policy in plain words.
// No rule, legal reference or staff text is shown. After --idle without a
// scan the screen returns to the welcome and forgets the last product.
//
// --camera takes a V4L2 device (YUYV or MJPEG, including the MJPEG frames
// without Huffman tables that many USB cameras send; --camera-size,
// --camera-format and --fps are asked of it), a directory of images, or an
// MJPEG file (JPEG images one after another); a directory or file plays at
// --fps, looping, for demonstrations and tests. Frames are decoded off the
// screen's path, frames that arrive while the decoder is busy are skipped,
// and a code counts only when --confirm consecutive decoded frames agree. A
// preview in half-block characters with an aiming box shows what the camera
// sees. A camera that is missing or goes away is reported and opened again
// every two seconds; the scanner works meanwhile.
//
// It is locked down: Ctrl+C, Ctrl+Z, Ctrl+\ and every printable key do
// nothing but feed the scan field. F12 opens the staff screen (the catalog,
// the camera and its errors): with --staff-pin (or $SMARTCHECK_STAFF_PIN),
// 4 to 16 digits, it asks for the PIN first and then F10 quits; three wrong
// PINs lock the prompt for a minute. Without a PIN the kiosk cannot be left
// from the keyboard at all: stop it with kill (SIGTERM quits cleanly).
//
// --sync URL follows a published catalog as till --sync does (see
// "Following a published catalog"): in the background, every --sync-every,
// never in the way of a scan; a newer catalog takes effect between scans,
// and the kiosk never falls back to the demo catalog. Only the staff
// screen says what is followed, how the last sync went and, in red, that
// a catalog was refused; shoppers see nothing of it. Until the first sync
// installs a catalog every scan asks the shopper to see a member of staff.
//
// # lookup
//
//	smartcheck lookup [--json] [--support-ended=stop|caution] [--caution-months N] CODE...
//
// Each CODE is any form of the scanning spec: a GTIN, an AIM-prefixed or
// bracketed GS1 element string, a GS1 Digital Link URI. Without --json it
// prints one readable block per code; with --json one JSON object per code
// per line. Exit status 0 when every code was read and judged, whatever the
// verdicts; 1 when a code could not be read or the catalog could not be
// opened or trusted; 2 for a usage error.
//
// When a GTIN has more than one declaration, or one is not used, the block
// lists every declaration of it, trusted or not, one line each:
//
//	history    #41 acme-phone v1 until 2031-08 by acme (Acme Devices Ltd, manufacturer) [chosen]
//	history    #57 acme-phone v2 until 2033-12 by acme (Acme Devices Ltd, manufacturer) [withdrawn: REASON]
//
// with [ignored: WHY] for one tills do not trust (an unknown key, a key
// not scoped for the GTIN, a signature that does not verify), then the
// notices about it that are not used, and why. --json carries the same as
// "history".
//
// With - as the only CODE it reads codes from standard input, one a line,
// and answers each (written out at once) before it reads the next, with
// the catalog opened once: a program can keep one lookup running and
// write codes to it. In --json mode every line gets exactly one line back.
//
// # serve
//
//	smartcheck serve [--listen 127.0.0.1:8080] [--token-file FILE] [--log FILE]
//	                 [--sync URL [--sync-every 15m]] [--support-ended=stop|caution] [--caution-months N]
//
// A long-running HTTP service for point-of-sale systems, which must know
// before an item is added whether it may be sold and what the shopper
// must be told:
//
//	GET  /v1/lookup?code=CODE[&at=YYYY-MM-DD]   one object, as lookup --json prints it
//	POST /v1/lookup                             a JSON array of codes (at most 1,000) in, an array of objects out
//	GET  /healthz                               200 with a trusted, unexpired catalog; 503 with why otherwise
//	GET  /metrics                               Prometheus text format
//
// The catalog is opened and verified once; --sync follows a published
// catalog as the till does and swaps each newer one in without failing a
// request. A code that is not a product code is a 200 with "error" set; a
// bad request (no code, more than 1,000, a code over 2,048 bytes, a body
// over 1 MiB, text that is not UTF-8) is a 4xx with a JSON "error". Every
// lookup is appended to the due-diligence log (--log) with the client's
// address. It listens on 127.0.0.1:8080; --listen with an address other
// machines can reach needs --token-file, a file (mode 0600) holding the
// bearer token every request must then carry. SIGTERM stops it after the
// requests in flight, with the log synced. docs/openapi.yaml describes it.
//
// # labels
//
//	smartcheck labels [--template NAME] [--format pdf|zpl|png] [-o FILE | --printer URI]
//	                  [--csv FILE] [--changed] [--again] [--skip N] [--outlines] [--dpi 203|300] [GTIN...]
//	smartcheck labels --retry [--printer URI] [--again]
//
// Makes shelf labels for the products given as codes (any form lookup
// takes) or in a CSV file (GTIN, then optionally price, batch and shelf
// location; a header row naming them may give another order). Each label
// says the brand and model, "Security updates until …" at the declared
// precision, the password policy, the disclosure contact, the price,
// and the day it was checked with the catalog's size, with the product's
// barcode (EAN-13, UPC-A, ITF-14 or GS1-128, at GS1's minimum size) and a
// QR code of the disclosure contact, captioned; DEMO on labels from the
// demo catalog. --price PRICE is the price of the GTINs given as
// arguments; a price that is not pounds and pence (up to £99,999.99) is
// refused, naming the CSV row. A product whose verdict is STOP or CHECK,
// or whose label cannot be laid out on the template, gets no label:
// standard error names it and says why, the others are written or
// printed, and the exit status is 1. PNG previews are one file a label:
// -o NAME.png for one, NAME-1.png, NAME-2.png… for more, each named.
//
// --template names a sheet or label size: avery-l7160 (the default),
// avery-l7163, avery-l7165, roll-102x51 and roll-76x51 (thermal rolls; the
// default for zpl), or any gLabels template by name ("Avery L7161") when
// gLabels' templates are installed. --format pdf makes A4 sheets, zpl
// makes ZPL for thermal printers at --dpi 203 or 300, png makes one
// preview image a label. -o writes a file (- for standard output);
// --printer sends to cups:QUEUE (through lp), ipp://HOST:PORT/PATH (IPP
// Print-Job), socket://HOST:9100 (raw ZPL) or file:PATH.
//
// Printing goes through a spool in $XDG_STATE_HOME/smartcheck/labels (or
// --state DIR/labels): a printer that is off, refuses the job or drops
// the connection gets a clear error, the job is kept, and `labels
// --retry` sends it. The same labels for the same printer are never sent
// twice (--again prints another copy); after a dropped connection the
// printer is asked whether it has the job before it is sent again. A
// journal records what every printed label said: `labels --changed`
// makes only the labels whose text would now differ (a new catalog, an
// extended period, an end that came closer), and names the products whose
// labels must come down (a notice, a support period that ended).
//
// Without products, --csv or --changed, on a terminal, it opens the label
// screen: type a brand, a model or a GTIN, choose a product with the
// arrows and see its label, Enter adds it to the print list, F6 sets its
// price, F4 takes the last one off, F5 prints the list, F10 quits.
//
// # Keys, signing and publishing
//
//	smartcheck key generate [--name KEYNAME] NAME
//	smartcheck key register --org ORG --role ROLE --scope SCOPE [--scope SCOPE...] PUBFILE
//	smartcheck key revoke [--org ORG --role ROLE | --catalog DIR [--trust FILE]] PUBFILE
//	smartcheck sign --key FILE [--key FILE...] [--catalog DIR [--trust FILE]] [FILE]
//	smartcheck catalog build --origin ORIGIN --key FILE [--key FILE...] [--expires 168h] --out DIR SIGNED...
//	smartcheck catalog append --key FILE [--key FILE...] [--expires 168h] --catalog DIR [--trust FILE] SIGNED...
//	smartcheck catalog withdraw --key FILE [--key FILE...] --catalog DIR [--trust FILE] [--expires 168h] --record N --reason TEXT
//	smartcheck catalog verify [--catalog DIR] [--trust FILE] [--at YYYY-MM-DD]
//
// key generate names the key NAME, or KEYNAME with --name (letters,
// digits, '.', '-', '_', '/' and ':'): a publisher key that witnesses are
// to check is named as the catalog's origin, which may hold a '/', so the
// files get their own name: key generate --name shop.example/uk publisher
// writes publisher.key and publisher.pub.
//
// key register prints the body of a smartcheck-key/1 record that
// registers the verifier key in PUBFILE (a .pub file from key generate),
// status active, for the publisher to sign. ROLE is manufacturer,
// authorised-rep, curator or notice-issuer; each --scope grants what the
// key may sign: gtin PREFIX (a GS1 Company Prefix, or a whole GTIN-13),
// gtin * (curators only) or notice PREFIX (notice issuers only). A role,
// a scope the role may not hold, or a scope that does not parse is a usage
// error. key revoke prints the record that revokes the key. The record
// must name an org and a role, although a key's org and role come from
// its first active record: with --catalog they are taken from the catalog
// that registers the key, so the revocation repeats what the log says (it
// refuses a key the catalog does not register, or already revokes, and
// --org or --role that contradict it); without --catalog, --org and
// --role are required.
//
// sign checks that a record body parses, and that the signed record is at
// most 64 KiB, signatures included, before it prints it. With --catalog
// it also checks the signed record as the catalog's tills would trust it
// if it were appended there (a key registered, not revoked, of a role
// that signs such records and scoped for every GTIN or the notice id; a
// notice revision from the org that first logged the notice; not already
// in the catalog), and refuses, saying why, instead of printing it.
//
// build and append refuse every record that does not parse, that tills
// would not trust at its place in the log, or that is already in the
// catalog: each is named by its file, with why, the exit status is 1 and
// nothing is written. append also refuses --key files that are not
// publisher keys of the catalog's trust file, or too few for its quorum.
// They write atomically; build writes DIR/trust for its publisher keys
// (quorum: all of them).
//
// withdraw appends a smartcheck-withdrawal/1 of record N (0 is the first),
// dated today (Europe/London), with the hash of its bytes and the reason,
// signed by the publisher --keys, and a new checkpoint. Only a
// declaration or a notice in the log can be withdrawn, once: it stays in
// the log, lookup lists it with the reason, and no verdict uses it. It
// prints what was withdrawn.
//
// verify checks the checkpoint, the root, expiry and every record's
// signature and signer, and exits 0 only if all hold.
//
// # Following a published catalog
//
//	smartcheck catalog sync [--catalog DIR] [--trust FILE] [--state DIR] [--timeout 30s] [--tries 4] [-v] URL
//	smartcheck till --sync URL [--sync-every 15m] [--catalog DIR] [--trust FILE]
//
// A chain publishes its catalog directory (the files checkpoint and
// records, as catalog build and append write them) on any static HTTP
// server or CDN, and every till follows it. catalog sync fetches
// URL/checkpoint and, when it is newer than the installed catalog, only
// the records after the installed ones, with a Range request (the whole
// file from a server that ignores ranges, skipping what the till has). It
// installs into --catalog, default $XDG_DATA_HOME/smartcheck/catalog, the
// catalog every command then uses. The first sync into a directory needs
// the publisher's trust file (--trust), and copies it there; later syncs
// use that copy.
//
// It accepts the new checkpoint only if the trust file's publishers
// signed it (quorum), it is for the trusted origin, it is neither smaller
// nor issued earlier than the installed catalog and the last checkpoint
// this till accepted (--state), it has not expired (--at judges as on
// another day), and the installed records with the new ones hash to its
// root: that proves the new log extends the installed one. Otherwise it
// is refused, and the message says which check failed and which catalog
// stays in use:
//
//	smartcheck: catalog sync: refused: the catalog was rolled back (the published checkpoint
//	commits to 2 records, the installed one to 3); still using the installed catalog (3 records, issued …)
//
// New records are appended after the installed catalog's last one, synced
// to disk, and only then does the new checkpoint replace the old, in one
// rename: a sync that is killed, loses power or is cut off at any moment
// leaves the old catalog or the new one, and the next sync cleans up.
// Cut connections, stalls (--timeout without a byte), short downloads and
// server errors are tried again, --tries times in all, from the last whole
// record received; security failures are not. Two syncs of one directory
// take turns. Exit status 0 when the catalog is up to date or a newer one
// was installed, 1 otherwise, 2 for a usage error.
//
// Before the checkpoint it follows the publisher's key rotations: it
// fetches URL/trust.d/V+1, V+2, … (V the trust version it holds) until one
// is missing, checks each against the one before, and keeps them in
// DIR/trust.d; a note that fails stops the sync (refused: trust) and the
// trust it had stays. Key records and withdrawals stay checked against the
// keys in force where they were logged. A sync ends with a clear error,
// whatever the server does: it sends a User-Agent, cuts a request that
// receives less than 1 KiB a second over a --timeout window, gives up
// after 30 minutes in all, and refuses a records tail far larger than the
// catalog's records take (16 times their mean size, and 16 MiB) before it
// writes it. An unchanged catalog costs a 304 (If-None-Match,
// If-Modified-Since) and the 404 of the next trust note.
//
//	smartcheck catalog trust rotate --key OLD... --new-key NEW... --catalog DIR [--quorum K] [--expires 7d]
//
// writes trust note N+1 and signs a new checkpoint with the new keys; from
// then on append, withdraw and refresh need the new keys. Publishing
// behind a CDN (what to upload first, cache lifetimes): docs/publishing.md.
//
// # Witnesses and proofs
//
//	smartcheck catalog witness --catalog DIR [--trust FILE] [--timeout 10s] URL...
//	smartcheck lookup --json --proof CODE
//	smartcheck verify-proof [--trust FILE] FILE|-
//
// catalog witness asks each C2SP tlog-witness witness at URL to cosign the
// catalog's checkpoint, with a consistency proof from the tiles beside the
// records, and adds the cosignatures of the trust file's witnesses to the
// checkpoint. A witness knows the log's key by the catalog's origin: a
// publisher signature on the checkpoint must be by a key named exactly as
// the origin (key generate --name ORIGIN), or it refuses before asking
// anyone. It says for each witness whether it cosigned and, if not, why
// (down, too slow, a refusal, an answer that is not a valid cosignature);
// it asks all of them at once, gives each --timeout per request and tries
// a network failure or a 5xx twice. The checkpoint is rewritten only with
// cosignatures that verify; the exit status is 1 when fewer witnesses
// cosigned than the trust file's witness-quorum (tills that require them
// keep their last catalog).
//
// lookup --json --proof adds to each answer the proof that the chosen
// declaration is in the log the checkpoint signs (README, "Proofs"), and
// verify-proof checks one offline against a trust file.
//
// till --sync does the same in the background, every --sync-every (sooner
// after a failure that was not a refusal), never in the way of a scan: a
// newer catalog takes effect between scans, each check in the log names the
// catalog that judged it, and the status line says what is followed and
// how the last sync went; a refused catalog also gets a banner. With
// --sync the till uses only the catalog it follows, never the demo.
//
// # Help and errors
//
//	smartcheck help [COMMAND [SUBCOMMAND]]
//	smartcheck COMMAND --help        (or -h)
//	smartcheck --version
//
// Help goes to standard output and exits 0: the list of commands, or a
// command's synopsis, every flag and, for the till, the kiosk and the
// label screen, every key (read from the screen's key map). --version
// prints the main module's version and, when the build recorded it, the
// revision it was built from.
//
// Errors go to standard error, one line each starting `smartcheck: `,
// with a `smartcheck: hint: ` line after it when there is something to
// do about it; a security failure (a bad signature, a rollback, a
// rewritten history) says so plainly, and a network failure says what
// happened in words ("nothing is listening at 127.0.0.1:9"). Exit status
// 2 is a usage error (a flag or argument that is wrong), 1 a failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/tui"
	_ "time/tzdata" // dates are judged in Europe/London wherever the till runs
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command may touch: its streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errUsage marks a usage error (exit status 2); the message has already
// been printed.
var errUsage = errors.New("usage")

// exitError carries an exit status for an error already reported.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin, stdout, stderr}
	cmd := "till"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		case "-version", "--version", "version":
			fmt.Fprintln(stdout, version())
			return 0
		}
		if !strings.HasPrefix(args[0], "-") {
			cmd, args = args[0], args[1:]
		}
	}
	var err error
	switch cmd {
	case "till":
		err = e.till(args)
	case "kiosk":
		err = e.kiosk(args)
	case "lookup":
		err = e.lookup(args)
	case "serve":
		err = e.serve(args)
	case "labels":
		err = e.labels(args)
	case "scan":
		err = e.scan(args)
	case "key":
		err = e.key(args)
	case "sign":
		err = e.sign(args)
	case "catalog":
		err = e.catalog(args)
	case "verify-proof":
		err = e.verifyProof(args)
	case "help":
		// help CMD [SUBCMD] is CMD [SUBCMD] --help.
		if len(args) == 0 || args[0] == "help" {
			fmt.Fprint(stdout, usage)
			return 0
		}
		if strings.HasPrefix(args[0], "-") {
			e.errorf("help takes a command, not %q", args[0])
			e.hintf("run 'smartcheck help' for the list of commands")
			return 2
		}
		return run(append(slices.Clone(args), "--help"), stdin, stdout, stderr)
	default:
		e.errorf("unknown command %q", cmd)
		e.hintf("run 'smartcheck help' for the list of commands")
		return 2
	}
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ee):
		return int(ee)
	}
	e.errorf("%v", err)
	if h := hintFor(err); h != "" {
		e.hintf("%s", h)
	}
	return 1
}

const usage = `usage: smartcheck [COMMAND] [flags] [arguments]

Commands:
  smartcheck [till]             the staff screen at the till
  smartcheck kiosk              the shopper screen at an in-store kiosk, with a camera
  smartcheck lookup CODE...     look codes up without a screen (for scripts and POS systems)
  smartcheck serve              a local HTTP service for point-of-sale systems
  smartcheck labels [GTIN...]   make and print shelf labels
  smartcheck scan IMAGE...      decode the barcodes in image files (PNG, JPEG, GIF)
  smartcheck key generate NAME  write a signer key and its verifier key
  smartcheck key register|revoke ... PUBFILE
  smartcheck sign --key FILE [FILE...]
  smartcheck catalog build|append|import|export|verify|sync|witness|... (smartcheck catalog --help lists them)
  smartcheck verify-proof FILE  check a lookup --json --proof answer offline

  smartcheck help [COMMAND]     this list, or a command's flags (and keys, for a screen)
  smartcheck COMMAND --help     the same
  smartcheck --version          which build this is

Every command that reads a catalog takes --catalog DIR, --trust FILE,
--at YYYY-MM-DD and --state DIR; run 'smartcheck help COMMAND' for the rest.
`

// version says which build this is: the main module's version, and the
// revision it was built from when the build recorded one.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "smartcheck (no build information)"
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	out := "smartcheck " + v
	if rev := set["vcs.revision"]; rev != "" {
		out += " (" + rev[:min(len(rev), 12)]
		if t := set["vcs.time"]; t != "" {
			out += ", " + t
		}
		if set["vcs.modified"] == "true" {
			out += ", modified"
		}
		out += ")"
	}
	return out + " " + bi.GoVersion
}

// errorf reports an error. Messages may quote a scan or catalog text, so
// they go through the sanitiser like everything else shown.
func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "smartcheck: %s\n", catalog.Sanitize(fmt.Sprintf(format, args...)))
}

// hintf follows an error with what to do about it, as age does.
func (e *env) hintf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "smartcheck: hint: %s\n", catalog.Sanitize(fmt.Sprintf(format, args...)))
}

// hintedError is an error with a hint for the person who ran the command.
type hintedError struct {
	err  error
	hint string
}

func (h *hintedError) Error() string { return h.err.Error() }
func (h *hintedError) Unwrap() error { return h.err }

func withHint(err error, hint string) error { return &hintedError{err, hint} }

// hintFor finds the hint that goes with err, if any.
func hintFor(err error) string {
	if h, ok := errors.AsType[*hintedError](err); ok {
		return h.hint
	}
	if _, ok := errors.AsType[*catalog.NotRegularFileError](err); ok {
		return "give --log a regular file (it is created if missing), or leave --log out for checks.jsonl in the state directory"
	}
	return ""
}

// flagOutput is a flag set's output: standard error, and the command's
// name and synopsis for its help.
type flagOutput struct {
	e          *env
	name, args string
}

func (o *flagOutput) Write(p []byte) (int, error) { return o.e.stderr.Write(p) }

// newFlags makes a flag set for a command. Its Usage reports a usage
// error on standard error; -h and --help print the command's help on
// standard output (parse does).
func (e *env) newFlags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{e, name, args})
	fs.Usage = func() {
		e.errorf("usage: smartcheck %s %s", name, args)
		e.hintf("run 'smartcheck %s --help' for every flag", name)
	}
	return fs
}

// parse parses flags and arguments in any order (flags may follow
// arguments, as people type them); "--" ends the flags. -h and --help
// print the command's help to standard output and return flag.ErrHelp; a
// flag that is wrong is reported in one line with a hint and returns
// errUsage.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard) // the flag package prints its own messages there
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	fo, _ := out.(*flagOutput)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if fo == nil {
				return nil, errUsage
			}
			if errors.Is(err, flag.ErrHelp) {
				fo.help(fs)
				return nil, err
			}
			fo.e.errorf("%s: %s", fs.Name(), flagError(fs, err))
			fo.e.hintf("run 'smartcheck %s --help' for every flag", fs.Name())
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

var (
	flagUndefined = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	flagNoValue   = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
	flagBadValue  = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-([^:]*): (.*)$`)
)

// flagError says in words what the flag package found wrong.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := flagUndefined.FindStringSubmatch(msg); m != nil {
		return "unknown flag " + dashes(m[1])
	}
	if m := flagNoValue.FindStringSubmatch(msg); m != nil {
		return dashes(m[1]) + " needs a value"
	}
	if m := flagBadValue.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if f := fs.Lookup(m[2]); f != nil && why != "value out of range" {
			if g, ok := f.Value.(flag.Getter); ok {
				switch g.Get().(type) {
				case bool:
					why = "want true or false, or the flag alone"
				case int, int64, uint, uint64:
					why = "want a whole number"
				case float64:
					why = "want a number"
				case time.Duration:
					why = "want a duration such as 30s, 15m or 2h"
				}
			}
		}
		return fmt.Sprintf("%s: invalid value %s: %s", dashes(m[2]), m[1], why)
	}
	return msg
}

// dashes writes a flag as people type it: -v, --catalog.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// help prints the command's help: its synopsis, what it does, every flag
// and, for a screen, every key.
func (o *flagOutput) help(fs *flag.FlagSet) {
	w := o.e.stdout
	fmt.Fprintf(w, "usage: smartcheck %s %s\n", o.name, o.args)
	if doc := commandDocs[o.name]; doc != "" {
		fmt.Fprintf(w, "\n%s", doc)
	}
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
	}
	for _, f := range flags {
		name, text := flag.UnquoteUsage(f)
		switch name { // the flag package names a value by its Go type
		case "int", "uint", "float":
			name = "N"
		case "duration":
			name = "DURATION"
		case "string", "value":
			name = "VALUE"
		}
		line := "  " + dashes(f.Name)
		if name != "" {
			line += " " + name
		}
		switch f.DefValue {
		case "", "0", "false", "0s", "[]":
		default:
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, text)
	}
	if keys := screenKeys[o.name]; keys != nil {
		fmt.Fprintf(w, "\nKeys:\n")
		list := keys()
		width := 0
		for _, k := range list {
			width = max(width, len([]rune(k.Keys)))
		}
		for _, k := range list {
			fmt.Fprintf(w, "  %s%s  %s\n", k.Keys, strings.Repeat(" ", width-len([]rune(k.Keys))), k.Desc)
		}
		if note := keyNotes[o.name]; note != "" {
			fmt.Fprintf(w, "\n%s", note)
		}
	}
}

// screenKeys are the keys of the commands that open a screen.
var screenKeys = map[string]func() []tui.KeyHelp{
	"till":   tui.TillKeys,
	"kiosk":  tui.KioskKeys,
	"labels": tui.LabelsKeys,
}

var keyNotes = map[string]string{
	"till": `No printable key is a shortcut: every one goes to the scan field, as a
keyboard-wedge scanner types.
`,
	"kiosk": `F10 and the arrow and page keys work on the staff screen only, after the
PIN. On the shopper screen Ctrl+C, Ctrl+Z, Ctrl+\ and every printable key
only feed the scan field.
`,
	"labels": `Every printable key goes to the search field (a scanner may type a
barcode into it).
`,
}

// commandDocs say what each command does, for its --help.
var commandDocs = map[string]string{
	"till": `The full-screen staff screen for a keyboard-wedge scanner (or typing): each
scan's verdict in large type with everything behind it, the shift's history
and the catalog's state. Every check is appended to the due-diligence log.
A catalog that fails verification does not stop the till: every scan is
then CHECK, with the reason.
`,
	"kiosk": `The full-screen shopper screen of an unattended kiosk: a shopper holds a box
up to the camera, or scans it, and reads the verdict with the shopper texts
only. F12 opens the staff screen; with a staff PIN it asks for it first.
Without a PIN the kiosk cannot be left from the keyboard: stop it with kill.
`,
	"lookup": `Looks each CODE up (a GTIN, an AIM-prefixed or bracketed GS1 element
string, a GS1 Digital Link URI; - reads codes from standard input, one a
line) and prints a readable block for each, or with --json one JSON object
per line. Exit status 0 when every code was read and judged, whatever the
verdicts; 1 when a code could not be read or the catalog not trusted.
`,
	"serve": `A local HTTP service for point-of-sale systems: GET /v1/lookup?code=CODE
answers as lookup --json does, POST /v1/lookup takes a JSON array of up to
1,000 codes, GET /healthz says whether a trusted catalog is in use, GET
/metrics is for Prometheus. Every lookup goes to the due-diligence log.
Listening beyond loopback needs --token-file. SIGTERM stops it gracefully.
`,
	"labels": `Makes shelf labels for the products given as codes, in a CSV file (--csv)
or whose labels changed (--changed). Without any of them, on a terminal, it
opens the label screen. A product whose verdict is STOP or CHECK gets no
label: standard error says why, and the exit status is 1.
`,
	"scan": `Decodes every barcode in each image file (PNG, JPEG, GIF): one line per
barcode, FILE<TAB>FORMAT<TAB>TEXT, or with --json one object per image. An
image with no barcode is named on standard error; it is not an error.
`,
	"key generate": `Writes NAME.key (a signer key, mode 0600) and NAME.pub (its verifier key).
The key is named NAME, or KEYNAME with --name. A publisher key that witnesses
check must be named exactly as the catalog's origin, which may hold '/':
  smartcheck key generate --name shop.example/uk publisher
`,
	"catalog witness": `Asks C2SP tlog-witness witnesses (each URL) to cosign the catalog's
checkpoint, and adds the cosignatures of the trust file's witnesses to it.
A witness knows the log's key by the origin: the checkpoint must carry a
publisher signature by a key named exactly as the origin (smartcheck key
generate --name ORIGIN FILE; catalog trust rotate brings it in), or nothing
is asked. Each witness's outcome is printed, with the reason when it did not
cosign; the exit status is 1 when fewer cosigned than witness-quorum.
`,
	"verify-proof": `Checks offline that a record is in a signed (and witnessed) catalog: a
line of lookup --json --proof, its proof object, or C2SP tlog-proof@v1 text
(FILE, or - for standard input), against --trust, the installed catalog's
trust file, or the built-in demo's. Exit status 0 only if it verifies.
`,
	"key register": `Prints the body of a smartcheck-key/1 record that registers the verifier key
in PUBFILE, for the publisher to sign. ROLE is manufacturer, authorised-rep,
curator or notice-issuer; each --scope grants what the key may sign.
`,
	"key revoke": `Prints the body of a smartcheck-key/1 record that revokes the key in PUBFILE.
With --catalog the org and role are taken from the catalog that registers it.
`,
	"sign": `Checks that a record body (FILE, or standard input) parses and prints it
signed. With --catalog it also checks that the catalog's tills would trust it.
`,
	"catalog build": `Writes a new catalog (records, checkpoint and trust file) into --out from
signed records, in the order given.
`,
	"catalog append": `Appends signed records to a catalog and signs a new checkpoint.
`,
	"catalog withdraw": `Appends a withdrawal of record N, signed by the publisher keys.
`,
	"catalog verify": `Checks the checkpoint, the root, expiry and every record's signature and
signer; exit status 0 only if all hold.
`,
	"catalog sync": `Fetches the catalog published at URL and installs it into --catalog when it
extends the installed one; a rollback, a rewritten history or a bad
signature is refused and the installed catalog stays. It first follows the
publisher's key rotations (URL/trust.d/N).
`,
	"catalog trust rotate": `Replaces the publisher keys: writes DIR/trust.d/N+1, signed by the keys in
force (--key) and the new ones (--new-key), in force from the catalog's next
record, and signs a new checkpoint with the new keys. Upload trust.d/N+1
before the checkpoint (docs/publishing.md).
`,
}

// groupHelp prints the help of a command with subcommands (key, catalog).
func (e *env) groupHelp(name string, subs [][2]string) {
	fmt.Fprintf(e.stdout, "usage: smartcheck %s COMMAND [flags] [arguments]\n\nCommands:\n", name)
	for _, s := range subs {
		fmt.Fprintf(e.stdout, "  %-10s %s\n", s[0], s[1])
	}
	fmt.Fprintf(e.stdout, "\nrun 'smartcheck help %s COMMAND' for a command's flags\n", name)
}

// subcommand dispatches a command with subcommands: help, a missing or
// unknown subcommand, or the subcommand's function.
func (e *env) subcommand(name string, args []string, subs [][2]string, funcs map[string]func([]string) error) error {
	var names []string
	for _, s := range subs {
		names = append(names, s[0])
	}
	want := names[0]
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	if len(args) == 0 {
		e.errorf("%s: which command? want %s", name, want)
		e.hintf("run 'smartcheck help %s' for what each does", name)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		e.groupHelp(name, subs)
		return nil
	}
	if f := funcs[args[0]]; f != nil {
		return f(args[1:])
	}
	e.errorf("unknown %s command %q: want %s", name, args[0], want)
	e.hintf("run 'smartcheck help %s' for what each does", name)
	return errUsage
}

// multiFlag is a flag that may be given more than once.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
