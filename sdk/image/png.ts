import { crc32, inflateSync } from "node:zlib";

import { ImageDecodeError } from "../errors.ts";
import type { DecodedImage } from "./pgm.ts";

export type DecodePngParameters = { bytes: Uint8Array };
export type DecodePngReturnType = DecodedImage;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_SIDE = 4096;

/**
 * Minimal PNG decoder: 8-bit grayscale (color type 0) or RGB (2), non-interlaced. RGB is
 * converted to gray with ITU-R BT.601 weights. Chunk CRCs are checked; anything else is rejected.
 */
export function decodePng({ bytes }: DecodePngParameters): DecodePngReturnType {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageDecodeError("not a PNG file (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let header: { width: number; height: number; channels: number } | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new ImageDecodeError("PNG: truncated chunk header");
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) throw new ImageDecodeError(`PNG: truncated ${type} chunk`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const crc = view.getUint32(pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== crc) throw new ImageDecodeError(`PNG: bad CRC in ${type} chunk`);
    pos += 12 + length;
    if (type === "IHDR") {
      if (length !== 13) throw new ImageDecodeError("PNG: bad IHDR length");
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const width = d.getUint32(0);
      const height = d.getUint32(4);
      const [bitDepth, colorType, compression, filter, interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) throw new ImageDecodeError(`PNG: unsupported size ${width}×${height}`);
      if (bitDepth !== 8) throw new ImageDecodeError(`PNG: unsupported bit depth ${bitDepth} (only 8-bit)`);
      if (colorType !== 0 && colorType !== 2) {
        const names: Record<number, string> = { 3: "palette", 4: "grayscale+alpha", 6: "RGBA" };
        throw new ImageDecodeError(`PNG: unsupported color type ${colorType}${names[colorType] ? ` (${names[colorType]})` : ""}; only grayscale or RGB`);
      }
      if (compression !== 0 || filter !== 0) throw new ImageDecodeError("PNG: unknown compression or filter method");
      if (interlace !== 0) throw new ImageDecodeError("PNG: interlaced images are not supported");
      header = { width, height, channels: colorType === 0 ? 1 : 3 };
    } else if (type === "IDAT") {
      if (!header) throw new ImageDecodeError("PNG: IDAT before IHDR");
      idat.push(data);
    } else if (type === "IEND") {
      ended = true;
      break;
    } else if ((type.charCodeAt(0) & 0x20) === 0) {
      throw new ImageDecodeError(`PNG: unsupported critical chunk ${type}`);
    }
  }
  if (!header) throw new ImageDecodeError("PNG: missing IHDR");
  if (idat.length === 0) throw new ImageDecodeError("PNG: missing IDAT");
  if (!ended) throw new ImageDecodeError("PNG: missing IEND");
  const { width, height, channels } = header;
  const stride = width * channels;
  const expected = height * (stride + 1);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (cause) {
    throw new ImageDecodeError("PNG: corrupt image data (inflate failed)", { cause });
  }
  if (raw.length !== expected) throw new ImageDecodeError(`PNG: image data is ${raw.length} bytes, expected ${expected}`);

  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels] : 0;
      const b = y > 0 ? out[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? out[row - stride + x - channels] : 0;
      let pred: number;
      switch (f) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new ImageDecodeError(`PNG: bad filter type ${f} on row ${y}`);
      }
      out[row + x] = (line[x] + pred) & 0xff;
    }
  }
  const pixels = new Array<number>(width * height);
  for (let i = 0; i < width * height; i++) {
    pixels[i] = channels === 1 ? out[i] : Math.round(0.299 * out[3 * i] + 0.587 * out[3 * i + 1] + 0.114 * out[3 * i + 2]);
  }
  return { width, height, pixels };
}
