/**
 * A minimal PNG decoder for tests (8-bit RGB/RGBA, non-interlaced: what resvg writes): checks the
 * signature and CRC-free structure, inflates IDAT with node:zlib and undoes the row filters, so
 * tests look at real pixels rather than trusting the encoder's own metadata.
 */
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  readonly rgba: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodePng(buf: Buffer): DecodedPng {
  if (!SIGNATURE.every((b, i) => buf[i] === b)) throw new Error('not a PNG (bad signature)');
  let off = 8;
  let width = 0,
    height = 0,
    bitDepth = 0,
    colorType = 0,
    interlace = 0;
  const idat: Buffer[] = [];
  let sawEnd = false;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    off += 12 + len;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8] ?? 0;
      colorType = data[9] ?? 0;
      interlace = data[12] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
  }
  if (!sawEnd) throw new Error('PNG has no IEND');
  if (bitDepth !== 8 || interlace !== 0 || (colorType !== 6 && colorType !== 2)) {
    throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) throw new Error(`IDAT size ${raw.length} ≠ ${height}×${stride + 1}`);
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    const line = new Uint8Array(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? (line[i - bpp] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a),
          pb = Math.abs(p - b),
          pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter} on row ${y}`);
      line[i] = ((line[i] ?? 0) + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * bpp] ?? 0;
      out[o + 1] = line[x * bpp + 1] ?? 0;
      out[o + 2] = line[x * bpp + 2] ?? 0;
      out[o + 3] = bpp === 4 ? (line[x * bpp + 3] ?? 0) : 255;
    }
    prev = line;
  }
  return { width, height, rgba: out };
}

/** "#rrggbb" of the pixel at (x, y). */
export function pixelHex(img: DecodedPng, x: number, y: number): string {
  const o = (y * img.width + x) * 4;
  return '#' + [0, 1, 2].map((k) => (img.rgba[o + k] ?? 0).toString(16).padStart(2, '0')).join('');
}

const hexToInt = (hex: string): number => Number.parseInt(hex.replace('#', ''), 16);

/** Pixel statistics in a rectangle: how many distinct colours, how many of some given colours. */
export function colourStats(
  img: DecodedPng,
  box: { x: number; y: number; w: number; h: number },
  count: readonly string[] = [],
) {
  const distinct = new Set<number>();
  const wanted = new Map(count.map((c) => [hexToInt(c), 0]));
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const o = (y * img.width + x) * 4;
      const v = ((img.rgba[o] ?? 0) << 16) | ((img.rgba[o + 1] ?? 0) << 8) | (img.rgba[o + 2] ?? 0);
      distinct.add(v);
      const n = wanted.get(v);
      if (n !== undefined) wanted.set(v, n + 1);
    }
  }
  const counts = new Map(count.map((c) => [c, wanted.get(hexToInt(c)) ?? 0]));
  return { distinct: distinct.size, counts };
}
