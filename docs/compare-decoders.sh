#!/usr/bin/env bash
# Compares smartcheck's barcode decoder with zbarimg (Debian zbar-tools) and
# ZXingReader (Debian zxing-cpp-tools) on the ZXing reference photographs,
# and prints one table: per folder and in total, each tool's hits (images
# whose expected text it read), misreads (images where it reported
# something else) and wall time per image.
#
#   docs/compare-decoders.sh [IMAGES]     (default ../shared/testdata/barcodes)
#
# Each tool runs once per folder, over all its images, three times; the
# fastest run counts. Time per image is that run's wall time over the
# folder's images: it includes starting the process and reading the files,
# the same for every tool. ZXingReader 1.4 aborts on an assertion on one
# image (code128-1/4.png), losing what it had printed: a folder where it
# aborts is run one file at a time (and timed so), the image it aborts on
# counted as nothing found. The decode time alone, in process, is what
# `go test -bench DecodeReference -cpu 1 ./scan` measures; this script
# prints that median last.
#
# To compare fairly, results are normalised: for EAN and UPC, codes are
# compared as GTIN-14 (zbarimg reports a UPC-A as a 13-digit EAN-13 and
# expands a UPC-E) and add-ons are ignored (zbarimg reports them as
# separate EAN-2/EAN-5 symbols, ZXingReader appends them after a space);
# every other text must match exactly. Formats are not compared: the tools
# name them differently (smartcheck's own test, scan/accuracy_test.go, also
# checks the format).
set -euo pipefail
cd "$(dirname "$0")/.."
images=$(cd "${1:-../shared/testdata/barcodes}" && pwd)
for tool in zbarimg ZXingReader python3; do
  command -v "$tool" >/dev/null || { echo "compare-decoders: $tool not found (apt-get install zbar-tools zxing-cpp-tools python3)" >&2; exit 1; }
done
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/smartcheck" ./cmd/smartcheck

python3 - "$images" "$bin/smartcheck" <<'EOF'
import base64, json, os, re, subprocess, sys, time

root, smartcheck = sys.argv[1], sys.argv[2]
RUNS = 3
EXTS = ('.png', '.jpg', '.gif')

def expected(folder, name):
    if folder == 'falsepositives':
        return None
    with open(os.path.join(root, folder, os.path.splitext(name)[0] + '.txt'), 'rb') as f:
        return f.read().decode('utf-8')

def upce_to_upca(d):
    # GS1 General Specifications, UPC-E zero suppression.
    ns, m, c = d[0], d[1:7], d[7]
    if m[5] in '012':
        body = m[0:2] + m[5] + '0000' + m[2:5]
    elif m[5] == '3':
        body = m[0:3] + '00000' + m[3:5]
    elif m[5] == '4':
        body = m[0:4] + '00000' + m[4]
    else:
        body = m[0:5] + '0000' + m[5]
    return ns + body + c

def gtin14(folder, text):
    text = text.split(' ')[0]  # ZXingReader: "9780393058673 52595"
    if not text.isdigit():
        return None
    if folder.startswith('upce') and len(text) == 8:
        text = upce_to_upca(text)
    return text.zfill(14)

def same(folder, got, want):
    if folder.split('-')[0] in ('ean13', 'ean8', 'upca', 'upce'):
        return gtin14(folder, got) is not None and gtin14(folder, got) == gtin14(folder, want)
    return got == want

# Each runner takes a folder and its files (paths relative to root) and
# returns ({file: [texts]}, seconds).

def run_smartcheck(files):
    t = time.perf_counter()
    p = subprocess.run([smartcheck, 'scan', '--json'] + files, cwd=root, capture_output=True)
    t = time.perf_counter() - t
    out = {}
    for line in p.stdout.decode('utf-8').splitlines():
        o = json.loads(line)
        out[o['file']] = [r['text'] for r in o.get('results', [])]
    return out, t

SYMBOL = re.compile(r"<symbol type='([^']*)'[^>]*>(.*?)</symbol>", re.S)
DATA = re.compile(r"<data( format='base64'[^>]*)?>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</data>", re.S)

def run_zbar(files):
    t = time.perf_counter()
    p = subprocess.run(['zbarimg', '--xml', '-q', '--nodbus'] + files, cwd=root, capture_output=True)
    t = time.perf_counter() - t
    out = {}
    # Not an XML parser: it would turn the CR LF in a QR code into LF.
    xml = p.stdout.decode('utf-8', 'replace')
    for m in re.finditer(r"<source href='([^']*)'>(.*?)</source>", xml, re.S):
        texts = []
        for typ, body in SYMBOL.findall(m.group(2)):
            if typ in ('EAN-2', 'EAN-5'):
                continue  # add-ons
            d = DATA.search(body)
            text = d.group(2)
            if d.group(1):
                text = base64.b64decode(text).decode('utf-8', 'replace')
            texts.append(text)
        out[m.group(1)] = texts
    return out, t

CONTROL = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
           'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US']

def unescape(s):
    # ZXingReader -1 escapes non-graphical characters: <GS>, <U+F3>.
    def one(m):
        t = m.group(1)
        if t.startswith('U+'):
            return chr(int(t[2:], 16))
        if t in CONTROL:
            return chr(CONTROL.index(t))
        if t == 'DEL':
            return '\x7f'
        return m.group(0)
    return re.sub(r'<([^<>]+)>', one, s)

def zxing_lines(out, todo, stdout):
    for line in stdout.decode('utf-8', 'replace').splitlines():
        m = re.match(r'^(\S+) (\S+)(?: "(.*)")?$', line)
        if m and m.group(1) in todo:
            out.setdefault(m.group(1), [])
            if m.group(3) is not None:
                out[m.group(1)].append(unescape(m.group(3)))

def run_zxing(files):
    out = {}
    t = time.perf_counter()
    p = subprocess.run(['ZXingReader', '-1'] + files, cwd=root, capture_output=True)
    total = time.perf_counter() - t
    if p.returncode == 0:
        zxing_lines(out, files, p.stdout)
        return out, total
    # Aborted, and its buffered output lost: run the folder again one
    # file at a time, and count that time instead.
    total = 0.0
    for f in files:
        t = time.perf_counter()
        p = subprocess.run(['ZXingReader', '-1', f], cwd=root, capture_output=True)
        total += time.perf_counter() - t
        out[f] = []
        if p.returncode == 0:
            zxing_lines(out, [f], p.stdout)
    return out, total

TOOLS = [('smartcheck', run_smartcheck), ('zbarimg', run_zbar), ('ZXingReader', run_zxing)]

folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
rows, totals = [], {name: [0, 0, 0.0] for name, _ in TOOLS}
nimages = 0
fp = {}
for folder in folders:
    names = sorted(n for n in os.listdir(os.path.join(root, folder)) if n.endswith(EXTS))
    files = [folder + '/' + n for n in names]
    row = [folder, len(files)]
    for name, runner in TOOLS:
        best = None
        for _ in range(RUNS):
            out, secs = runner(files)
            if best is None or secs < best[1]:
                best = (out, secs)
        out, secs = best
        hits = mis = 0
        for f, n in zip(files, names):
            want = expected(folder, n)
            got = out.get(f, [])
            if want is not None and any(same(folder, g, want) for g in got):
                hits += 1
            if any(want is None or not same(folder, g, want) for g in got):
                mis += 1
        ms = 1000 * secs / len(files)
        row += [hits, mis, ms]
        if folder != 'falsepositives':
            totals[name][0] += hits
            totals[name][1] += mis
            totals[name][2] += secs
        else:
            fp[name] = mis
    if folder != 'falsepositives':
        nimages += len(files)
    rows.append(row)

def line(cells):
    print('| ' + ' | '.join(cells) + ' |')

head = ['folder', 'images']
for name, _ in TOOLS:
    head += [name + ' hits', 'misreads', 'ms/image']
line(head)
line(['---'] + ['---:'] * (len(head) - 1))
for r in rows:
    cells = [r[0], str(r[1])]
    for i in range(len(TOOLS)):
        h, m, ms = r[2 + 3 * i: 5 + 3 * i]
        cells += ['–' if r[0] == 'falsepositives' else str(h), str(m), '%.1f' % ms]
    line(cells)
cells = ['**total** (less falsepositives)', str(nimages)]
for name, _ in TOOLS:
    h, m, secs = totals[name]
    cells += ['**%d** (%.1f%%)' % (h, 100.0 * h / nimages), str(m), '%.1f' % (1000 * secs / nimages)]
line(cells)
print()
print('falsepositives: images where something was reported (want 0): ' +
      ', '.join('%s %d' % (name, fp.get(name, 0)) for name, _ in TOOLS))
EOF

echo
echo "smartcheck decode time in process, one core (go test -bench DecodeReference -cpu 1 ./scan):"
go test -run XXX -bench DecodeReference -cpu 1 -benchtime 3x -count 1 ./scan |
  grep -o '[0-9.]* \(median\|mean\|p90\)-ms/img' | sed 's/^/  /'
