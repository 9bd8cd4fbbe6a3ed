import { crc32, deflateSync } from 'node:zlib';
import { textOn } from './colors.ts';

/**
 * The key page's app icon, drawn here in the issuer's primary colour: a key on a full-bleed
 * square, the glyph inside the central 60% so the icon also works masked (Android crops to a
 * circle). SVG for the favicon, PNG at the sizes an install needs.
 */

/** The glyph on a 100×100 grid: a ring (the bow) and a blade with two teeth. */
const RING = { cx: 36, cy: 50, outer: 15, inner: 7 };
const BLADE = [
  { x0: 49, y0: 46, x1: 78, y1: 54 },
  { x0: 62, y0: 54, x1: 68, y1: 63 },
  { x0: 72, y0: 54, x1: 78, y1: 60 },
];

export function iconSvg(primary: string): string {
  const ink = textOn(primary);
  const blades = BLADE.map((r) => `<rect x="${r.x0}" y="${r.y0}" width="${r.x1 - r.x0}" height="${r.y1 - r.y0}"/>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="${primary}"/>` +
    `<g fill="${ink}"><path fill-rule="evenodd" d="M${RING.cx - RING.outer} ${RING.cy}a${RING.outer} ${RING.outer} 0 1 0 ${2 * RING.outer} 0a${RING.outer} ${RING.outer} 0 1 0 ${-2 * RING.outer} 0z` +
    `M${RING.cx - RING.inner} ${RING.cy}a${RING.inner} ${RING.inner} 0 1 0 ${2 * RING.inner} 0a${RING.inner} ${RING.inner} 0 1 0 ${-2 * RING.inner} 0z"/>${blades}</g></svg>`
  );
}

/** Signed distance (in grid units) from a point to the glyph: negative inside. */
function glyphDistance(x: number, y: number): number {
  const r = Math.hypot(x - RING.cx, y - RING.cy);
  let d = Math.max(r - RING.outer, RING.inner - r);
  for (const b of BLADE) {
    const dx = Math.max(b.x0 - x, x - b.x1);
    const dy = Math.max(b.y0 - y, y - b.y1);
    const outside = Math.hypot(Math.max(dx, 0), Math.max(dy, 0));
    d = Math.min(d, outside > 0 ? outside : Math.max(dx, dy));
  }
  return d;
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** A `size`×`size` RGB PNG of the icon, anti-aliased by distance to the glyph's edge. */
export function iconPng(primary: string, size: number): Buffer {
  const bg = rgb(primary);
  const fg = rgb(textOn(primary));
  const scale = 100 / size;
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let py = 0; py < size; py++) {
    const row = py * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      const coverage = Math.min(1, Math.max(0, 0.5 - glyphDistance((px + 0.5) * scale, (py + 0.5) * scale) / scale));
      for (let c = 0; c < 3; c++) raw[row + 1 + px * 3 + c] = Math.round(bg[c]! + (fg[c]! - bg[c]!) * coverage);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** PNG sizes the manifest lists: Android's launcher and splash screen. */
export const ICON_SIZES = [192, 512] as const;
