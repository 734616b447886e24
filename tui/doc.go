// Package tui is smartcheck's terminal screens, and the only package that
// imports Bubble Tea, Lip Gloss or Bubbles.
//
// # The till
//
// Till is the staff screen at the till. A USB keyboard-wedge scanner types
// each character of a barcode as a key press, a millisecond or two apart,
// and ends it with Enter, Tab or Ctrl+J; a GS separator arrives as Ctrl+].
// Bubble Tea v2 delivers one message per key, so the screen assembles scans
// from the keys' text (never their codes: upper case arrives as a lower-case
// code with Shift) and, because a printable key may always be part of a
// barcode, binds its commands to F-keys, Esc and Ctrl chords only. A paste
// is read as scans too, one per line.
//
// Every scan is numbered as it ends and queued. Lookups run one at a time,
// as commands, in scan order; their results carry the scan's number, and
// a result for any other scan than the one asked about is dropped. So
// scans are never lost, merged, split or reordered, however fast they
// come, and Update never waits on the catalog, the printer or the disk.
//
// Nothing slips past. A STOP or a CHECK stays on screen until staff
// acknowledge it (F2); scans made meanwhile wait in the queue and are
// judged, in order, after it, each STOP and CHECK among them held in its
// turn. A CAUTION with scans waiting behind it stays for the time it
// takes to read its reasons and what to tell the shopper (readTime), or
// until the next scan or F2. The due-diligence log
// (catalog.DueDiligenceLog) gets a line for every check and every
// acknowledgement, written and synced by a goroutine of its own in the
// order Update hands them over.
//
// The card puts first what staff act on — the verdict, what to do, the
// staff text of every reason, what to tell the shopper — so that it is on
// screen unscrolled from 80x24 up; the facts follow and PgUp/PgDn scroll
// them. Below 120 columns the history is a line under the card, and F3
// shows it as a pane; ↑/↓ choose any row and Enter opens its card.
//
// Colours are chosen per colour profile (StylesFor), from the profile
// Bubble Tea detects: left to the renderer to downsample, the truecolor
// red of a STOP becomes an orange on a 256-colour terminal.
//
// View is cheap: the verdict card, the history and the status lines are
// rendered when what they show changes, and a frame only joins them to
// the scan field.
//
// # The kiosk
//
// Kiosk is the shopper screen of an unattended kiosk in the shop. A
// shopper holds a box up to the camera, or scans it, and reads the answer
// in plain English: the verdict in large type, in words and a symbol as
// well as colour, and the shopper texts of spec/verdicts.md only, never a
// staff text, a rule or a section number. After KioskConfig.Idle without a
// scan the screen clears for the next shopper; the idle timer carries a
// generation number, so a timer started before a newer scan is ignored.
//
// It is locked down. In raw mode Ctrl+C, Ctrl+Z and Ctrl+\ are ordinary
// keys, and none is bound; RunKiosk also drops interrupt and suspend
// messages. Printable keys only ever feed the scan field. F12 opens the
// staff screen (after the PIN, when one is configured), which says how the
// camera is doing; only there, and only after the PIN, does F10 quit.
//
// The camera runs in scan.Camera's goroutines: frames are decoded and
// previews made there, and reach Update as messages through one listening
// command at a time, previews at a limited rate. The preview is drawn in
// half-block cells and rebuilt only when a new one arrives.
//
// Catalog text reaches the screen only through catalog.Sanitize.
package tui
