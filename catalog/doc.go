// Package catalog is smartcheck's trust core: the signed, append-only
// catalog of manufacturers' statements of compliance, and the verdict
// engine that turns a scan into OK, CAUTION, CHECK, STOP or NOT_IN_SCOPE.
// It has no user interface. The formats are those of
// ../shared/spec/catalog.md and the rules those of verdicts.md; this
// comment says how they are implemented and why.
//
// # Threat model
//
// A till must show a shopper only what a trusted party signed, must notice
// when anyone (the network, a mirror, the publisher itself) tampers with,
// rolls back, freezes or rewrites the catalog, and must let nobody — not
// even the manufacturer — quietly shorten a support period once promised
// (PSTI Regulations 2023 Sch 1 para 3(6)). So every record is a signed
// note (golang.org/x/mod/sumdb/note); the catalog is an append-only Merkle
// log of records (golang.org/x/mod/sumdb/tlog, RFC 6962 hashing); a
// checkpoint signed by the publisher commits to the whole log; and a till
// remembers the last checkpoint it accepted and only accepts one that
// extends it.
//
// # Records
//
// A record is the complete text of one signed note: a body, a blank line,
// signature lines. The body's first line names its kind:
//
//	smartcheck-declaration/1   a statement of compliance for one product type (one version of it)
//	smartcheck-notice/1        an enforcement notice or public safety information
//	smartcheck-key/1           registers or revokes a signing key, and scopes it; signed by the publisher quorum
//	smartcheck-withdrawal/1    withdraws a declaration or notice logged by mistake; signed by the publisher quorum
//
// and every other line is `key SP value`. ParseRecord is strict: a key not
// allowed for the kind, a repeated key, an empty value, leading or
// trailing space, a control or bidirectional formatting character, or a
// value that breaks its key's format (dates, GTIN check digits, integers,
// the listed choices) is an error that names the line. `contact` values
// are the exception the spec makes: any text parses, and the verdict rules
// judge whether it is usable (R6d). For example:
//
//	smartcheck-declaration/1
//	id example-phone
//	version 1
//	published 2025-01-10
//	gtin 09520000000011
//	brand Example
//	model Phone One
//	category smartphone
//	cellular yes
//	manufacturer Example Ltd | 1 High Street, London | GB
//	route schedule1
//	passwords user-defined
//	contact https://example.com/security
//	support-until 2031-08
//	support-statement Security updates until at least August 2031.
//	issued 2025-01-10 | London
//	signatory A Person | Head of Product Security
//
//	— example-maker AbCd…
//
// # The log and the checkpoint
//
// A catalog is a directory (or the same files over HTTP) holding `records`
// — every record framed as its length in decimal ASCII, LF, the bytes —
// and `checkpoint`, a signed note whose body is the origin, the size, the
// base64 RFC 6962 root over the records, and `issued` and `expires` lines
// (RFC 3339, UTC). Bytes of `records` past the size are not committed and
// are ignored: that is what lets Append add records first and replace the
// checkpoint last, in one rename, so a reader never sees a half-written
// catalog. Anything else in the directory is derived and untrusted.
//
// # Opening a catalog
//
// Open verifies before it parses: the checkpoint's signatures against the
// trust file (origin, publisher keys, quorum) first; then it reads every
// committed record, hashes it and recomputes the root, and refuses the
// catalog if the root differs (a SecurityError, whose Check names the
// failed check: signature, quorum, origin, root, records, rollback, fork).
// Given the last accepted checkpoint it also refuses a smaller size or an
// earlier issue time (rollback) and a log whose first old-size records do
// not hash to the old root (fork). Nothing an unverified catalog says is
// used.
//
// Open is built for a million records in well under a second on two cores:
// it streams the records file through a pipeline (read, hash on every
// core, fold the tree in log order) and keeps only offsets, a kind byte
// and a sorted GTIN index in memory; records are read again when looked
// up. The GTIN index is a hint from a byte scan of each body: a record is
// parsed and its signature checked before any of it is used.
//
// # Keeping a till current
//
// Sync follows a catalog published on any static HTTP server (catalog.md,
// "Updating a till"). It checks the published checkpoint — quorum and
// origin, not smaller or issued earlier than the installed catalog or the
// last accepted checkpoint, not expired — before it downloads anything,
// then fetches only the records after the installed ones (an HTTP Range
// request; the whole file, skipping the installed part, from a server
// that ignores it) and hashes them into the installed log's compact
// range: the one comparison with the new root proves both that they are
// the signed records and that the new log extends the installed one. It
// appends them after the committed end and then replaces the checkpoint
// in one rename, so a sync killed at any moment leaves the old catalog or
// the new one. A SyncError says which check failed (Check: the
// SecurityError checks, or "expired") and which catalog stays in use.
//
// # Witnesses, tiles and proofs
//
// A trust file may name C2SP tlog-witness witnesses and a witness quorum
// (catalog.md, "Witnesses"): a checkpoint then also needs that many valid
// tlog-cosignature/v1 cosignatures of listed witnesses, none made before it
// was issued, or it is refused naming each witness and why (Check
// "witness"). A witness knows a log's key by the log's origin, so a
// publisher key that witnesses check is named exactly as the origin
// (GenerateKey takes '/' and ':'), and WitnessRequest.Cosign refuses to ask
// when the checkpoint carries no signature by such a key. Cosign asks every
// witness at once, with per-request timeouts and a second try for network
// failures and 5xx answers, takes from each answer only a cosignature that
// verifies on this checkpoint by that witness's trusted key, and rewrites
// the checkpoint only when the result meets the witness quorum.
//
// Beside `records` the publisher writes C2SP tlog-tiles hash tiles
// (tiles.go), derived and checked by every reader against a signed root:
// they prove that one checkpoint extends another, and, as a C2SP
// tlog-proof (Proof), that a record is in the log, offline.
//
// # Signatures, keys, scopes and notices: who may say what
//
// Nobody signs for somebody else's products. Whether a record may be used
// is decided in one place (trust.go), once per question, with one reason
// per refusal:
//
//   - A declaration is trusted for a GTIN when a signature on it verifies
//     with a key that, at the record's place in the log, is registered
//     (its first `active` key record comes before), not revoked (no
//     `revoked` record before), of a role that signs declarations
//     (manufacturer, authorised-rep, curator), and holds a `scope` granted
//     before the record that covers the GTIN: `gtin PREFIX` matches the
//     GTIN-13 form (the GTIN-14 without its indicator digit, so a prefix
//     never matches through it; a U.P.C. Company Prefix is written with
//     its leading 0), `gtin *` (curators only) matches any. A declaration
//     listing GTINs in and out of its signer's scope is trusted for the
//     ones in scope only.
//   - A notice is trusted when a notice-issuer key, registered and not
//     revoked there, holds a `notice PREFIX` scope for its id; and a
//     revision counts only when its key's org is the org of the key that
//     logged the notice's first trusted, not withdrawn record. The
//     notice's state is the counting record with the highest revision
//     (the later in the log on a tie).
//   - Key records and withdrawals need the publisher quorum. A key's org
//     and role come from its first active record; a later active record
//     of the same org and role adds scopes (from its place on), one that
//     names another org or role grants nothing, and a revoked key stays
//     revoked. A key record with a scope its role may not hold does not
//     parse. When a later key collides with the name and 32-bit hash of
//     an earlier one, the earlier keeps them.
//   - A withdrawal takes effect only for a declaration or notice logged
//     before it whose record hash it names; the first that withdraws a
//     record counts. The withdrawn record stays in the log and in the
//     staff history, with the reason; no verdict uses it.
//
// Signatures are checked when a record is first looked up, and the
// outcome is remembered (a million ed25519 checks would take seconds at
// start-up); scopes and withdrawals are indexed at open from the few key
// and withdrawal records. A key that has signed a few of the records
// looked up verifies the rest from a table of its multiples
// (internal/edverify: crypto/ed25519's answers in under half its time), so
// that serve and `lookup -`, which verify one record per code, keep up. Verify reports every record a till would not
// trust, with its index and the reason, and Admit refuses such records
// before catalog build and append write them.
//
// A lookup is one pipeline: the index finds the records that name the
// GTIN (Evidence), each is decided as above, and Judge — a pure function
// of that evidence, the scan, the policy and the date — chooses and
// judges.
//
// # Verdicts
//
// Judge applies rules R0b to R7 of verdicts.md in order; R0a (a catalog
// that fails verification) is Open's error. Choices where the spec is
// silent, made as a careful engineer of the checksum database would:
//
//   - NOT_IN_SCOPE ranks above OK and below CAUTION: an excepted product
//     becomes CAUTION, CHECK or STOP only through an R0, R3 or R4 finding.
//   - Only declarations trusted for the GTIN and not withdrawn compete;
//     a manufacturer's or authorised representative's comes before a
//     curator's, then the one logged last wins. An untrusted or withdrawn
//     record never changes which one is chosen or what it says: it is
//     listed in the history and in R4d (ignored-records, staff only).
//     R4a–R4c come once, when no declaration is trusted, and name every
//     ignored record; a GTIN whose only declarations were withdrawn is R1.
//     A declaration that does not parse is not a declaration at all: it
//     is never listed, only reported by Verify.
//   - The first trusted, not withdrawn record of a notice fixes the org
//     that may revise it.
//   - R6e (contact-incomplete) applies whenever acknowledgement or
//     status-updates is missing, with or without a contact.
//   - R6h compares every trusted, not withdrawn declaration of the GTIN
//     that covers the scan's batch with every one logged before it,
//     across ids, versions and signers, by the last day each could mean;
//     a shortening is a failure even if a later record extends the period
//     again. R6i adds the finding `support-extended` (verdict OK), naming
//     the latest earlier declaration that ended sooner than the chosen one.
//   - Contacts and web addresses are shown in their ASCII form (punycode)
//     wherever a host is not plain ASCII (ASCIIAddress).
//   - A relative period anchored on first supply without a date uses the
//     declaration's `first-supplied` line when there is one.
//   - An end after 9999-12-31 (a relative period from an anchor late in
//     9999) is "after 9999" wherever it is shown, and has no first or last
//     day and no days left in `lookup --json`. It never ends, ends now or
//     ends soon; R6h and R6i count it later than every real end, and two
//     such ends as equal: no day after 9999 can be shown to staff, so none
//     can be said to shorten or extend another.
//   - A notice without `effective` takes effect on its `issued` date.
//   - Two declarations with the same id and version: the later in the log
//     counts, and R6h compares them like any other two.
package catalog
