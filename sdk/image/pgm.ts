import { ImageDecodeError } from "../errors.ts";

export type DecodedImage = { width: number; height: number; /** grayscale 0..255, row-major */ pixels: number[] };

export type DecodePgmParameters = { bytes: Uint8Array };
export type DecodePgmReturnType = DecodedImage;

const MAX_SIDE = 4096;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;

/** Netpbm graymap, plain (P2) or raw (P5), maxval 1..65535; values are scaled to 0..255. */
export function decodePgm({ bytes }: DecodePgmParameters): DecodePgmReturnType {
  if (bytes.length < 2 || bytes[0] !== 0x50 || (bytes[1] !== 0x32 && bytes[1] !== 0x35)) throw new ImageDecodeError("not a PGM file (expected magic P2 or P5)");
  const plain = bytes[1] === 0x32;
  let pos = 2;
  /** next header token, skipping whitespace and # comments */
  const token = (what: string): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] !== 0x23) break;
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
    if (pos === start || pos - start > 9) throw new ImageDecodeError(`PGM: bad ${what} at byte ${start}`);
    if (pos < bytes.length && !isSpace(bytes[pos]) && bytes[pos] !== 0x23) throw new ImageDecodeError(`PGM: bad ${what} at byte ${start}`);
    return Number(new TextDecoder().decode(bytes.subarray(start, pos)));
  };
  if (pos >= bytes.length || !isSpace(bytes[pos])) throw new ImageDecodeError("PGM: missing whitespace after the magic number");
  const width = token("width");
  const height = token("height");
  const maxval = token("maxval");
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) throw new ImageDecodeError(`PGM: unsupported size ${width}×${height}`);
  if (maxval < 1 || maxval > 65535) throw new ImageDecodeError(`PGM: maxval must be in 1..65535, got ${maxval}`);
  const n = width * height;
  const scale = (v: number, i: number) => {
    if (v > maxval) throw new ImageDecodeError(`PGM: pixel ${i} = ${v} exceeds maxval ${maxval}`);
    return maxval === 255 ? v : Math.round((v * 255) / maxval);
  };
  const pixels = new Array<number>(n);
  if (plain) {
    for (let i = 0; i < n; i++) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (pos >= bytes.length) throw new ImageDecodeError(`PGM: truncated, ${i} of ${n} pixels`);
      const start = pos;
      while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
      if (pos === start || pos - start > 5 || (pos < bytes.length && !isSpace(bytes[pos]))) throw new ImageDecodeError(`PGM: bad pixel value at byte ${start}`);
      pixels[i] = scale(Number(new TextDecoder().decode(bytes.subarray(start, pos))), i);
    }
    while (pos < bytes.length && isSpace(bytes[pos])) pos++;
    if (pos !== bytes.length) throw new ImageDecodeError(`PGM: unexpected data after ${n} pixels`);
  } else {
    pos++; // exactly one whitespace byte after maxval
    const bpp = maxval < 256 ? 1 : 2;
    if (bytes.length - pos < n * bpp) throw new ImageDecodeError(`PGM: truncated raster, ${bytes.length - pos} of ${n * bpp} bytes`);
    for (let i = 0; i < n; i++) pixels[i] = scale(bpp === 1 ? bytes[pos + i] : (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1], i);
  }
  return { width, height, pixels };
}
