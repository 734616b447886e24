// render.js WIDTH_MM HEIGHT_MM DOTS_PER_MM OUT_PREFIX < labels.zpl
// Renders each ^XA...^XZ label of the ZPL on standard input to
// OUT_PREFIX-N.png (N from 1) with zpl-renderer-js, for labels' tests.
const fs = require('fs');
const { ready } = require('zpl-renderer-js');
(async () => {
  const [w, h, dpmm, out] = process.argv.slice(2);
  const zpl = fs.readFileSync(0, 'utf8');
  const { api } = await ready;
  const pngs = await api.zplToBase64MultipleAsync(zpl, Number(w), Number(h), Number(dpmm));
  pngs.forEach((b64, i) => fs.writeFileSync(`${out}-${i + 1}.png`, Buffer.from(b64, 'base64')));
  console.log(pngs.length);
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
