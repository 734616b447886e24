package main

import (
	"fmt"

	"github.com/smartcheck-uk/smartcheck/catalog"
	"github.com/smartcheck-uk/smartcheck/labels"
	"github.com/smartcheck-uk/smartcheck/tui"
)

// till runs the staff screen:
//
//	smartcheck till [--catalog DIR] [--trust FILE] [--at DATE] [--state DIR]
//	                [--printer URI] [--log FILE] [--receipt-columns N] [--receipt-qr native|raster]
//	                [--support-ended=stop|caution] [--caution-months N]
//	                [--sync URL [--sync-every 15m]]
//
// A catalog that cannot be opened or trusted does not stop the till: it
// starts and shows CHECK catalog-untrusted, with the reason, for every
// scan (verdicts.md R0a). A due-diligence log that cannot be opened does:
// checks that are not recorded are no defence. With --sync the till
// follows the catalog published at URL as `catalog sync` would, in the
// background, into --catalog (default: the installed catalog's
// directory); it never falls back to the demo catalog then.
func (e *env) till(args []string) error {
	fs := e.newFlags("till", "[--catalog DIR] [--at YYYY-MM-DD] [--printer URI] [--log FILE]")
	var cf catalogFlags
	cf.register(fs)
	printer := fs.String("printer", "", "receipt printer `URI`: socket://HOST:9100, a device such as /dev/usb/lp0, or file:PATH")
	logPath := fs.String("log", "", "due-diligence log `FILE` (default: checks.jsonl in the --state directory, $XDG_STATE_HOME/smartcheck)")
	cols := fs.Int("receipt-columns", 48, "characters per receipt line: 48 on 80 mm paper, 32 on 58 mm")
	qrMode := fs.String("receipt-qr", "native", "how the receipt's QR code is printed: `native` (GS ( k) or raster (GS v 0)")
	var pf policyFlags
	pf.register(fs)
	var ff followFlags
	ff.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		e.errorf("till takes no arguments, got %q", rest[0])
		return errUsage
	}
	policy, err := pf.policy()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if *cols < 24 || *cols > 96 {
		e.errorf("--receipt-columns must be between 24 and 96")
		return errUsage
	}
	if *qrMode != "native" && *qrMode != "raster" {
		e.errorf("--receipt-qr must be native or raster, not %q", *qrMode)
		return errUsage
	}
	today, err := cf.today()
	if err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	if err := ff.check(fs, &cf); err != nil {
		e.errorf("%v", err)
		return errUsage
	}
	cfg := tui.TillConfig{
		Policy:  policy,
		Receipt: labels.ReceiptOptions{Columns: *cols, RasterQR: *qrMode == "raster"},
	}
	if cf.at != "" {
		cfg.Today = func() catalog.Date { return today }
	}
	if *printer != "" {
		p, err := labels.OpenPrinter(*printer)
		if err != nil {
			e.errorf("--printer: %v", err)
			return errUsage
		}
		cfg.Printer = p
	}

	if err := tui.NeedTerminal(e.stdin); err != nil {
		return err
	}
	ddlog, path, err := cf.openLog(*logPath)
	if err != nil {
		return err
	}
	defer ddlog.Close()
	cfg.Log = tui.NewLogWriter(ddlog)

	cfg.Sync = ff.config(cf)
	cat, err := ff.open(&cf, e.stderr)
	if err != nil {
		cfg.Untrusted = err
	} else {
		// With --sync the till closes it when a newer one takes over.
		defer cat.Close()
		cfg.Catalog, cfg.Demo = cat.Catalog, cat.demo
	}

	runErr := tui.RunTill(cfg, e.stdin, e.stdout)
	logErr := cfg.Log.Close()
	if runErr != nil {
		return runErr
	}
	if logErr != nil {
		return fmt.Errorf("the due-diligence log %s was not fully written: %w", path, logErr)
	}
	if cfg.Untrusted != nil && ff.syncer == nil {
		e.errorf("the catalog was not trusted: %v", cfg.Untrusted)
	}
	return nil
}
