import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32, deflateSync } from "node:zlib";

import { ImageDecodeError } from "../errors.ts";
import { decodeImage } from "./decode-image.ts";
import { decodePgm } from "./pgm.ts";
import { decodePng } from "./png.ts";

// ---- a small PNG encoder (test only): every row uses filter (y % 5), so all five are decoded
function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng({ width, height, channels, data, colorType, bitDepth = 8, interlace = 0, corruptCrc = false }: { width: number; height: number; channels: number; data: Uint8Array; colorType: number; bitDepth?: number; interlace?: number; corruptCrc?: boolean }): Buffer {
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = data[y * stride + x];
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = interlace;
  const ihdrChunk = chunk("IHDR", ihdr);
  if (corruptCrc) ihdrChunk[ihdrChunk.length - 1] ^= 1;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdrChunk, chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array())]);
}
const gray = Uint8Array.from({ length: 784 }, (_, i) => (i * 37 + (i >> 3)) & 0xff);

describe("PNG", () => {
  it("decodes 8-bit grayscale, every filter type", () => {
    const png = encodePng({ width: 28, height: 28, channels: 1, colorType: 0, data: gray });
    assert.deepEqual(decodePng({ bytes: png }).pixels, Array.from(gray));
    assert.deepEqual(decodeImage({ bytes: png }), { format: "png", pixels: Array.from(gray) });
  });
  it("decodes 8-bit RGB to gray (BT.601)", () => {
    const rgb = new Uint8Array(784 * 3);
    for (let i = 0; i < 784; i++) rgb.set([gray[i], gray[i], gray[i]], 3 * i);
    rgb.set([255, 0, 0], 0);
    const out = decodePng({ bytes: encodePng({ width: 28, height: 28, channels: 3, colorType: 2, data: rgb }) }).pixels;
    assert.equal(out[0], 76); // round(0.299 * 255)
    assert.deepEqual(out.slice(1), Array.from(gray.slice(1)));
  });
  it("rejects what it does not support, with a specific message", () => {
    const d = (o: Partial<Parameters<typeof encodePng>[0]>) => encodePng({ width: 28, height: 28, channels: 1, colorType: 0, data: gray, ...o });
    const cases: [Buffer | Uint8Array, RegExp][] = [
      [d({ interlace: 1 }), /interlaced/],
      [d({ bitDepth: 16 }), /bit depth 16/],
      [d({ colorType: 6, channels: 4, data: new Uint8Array(784 * 4) }), /color type 6 \(RGBA\)/],
      [d({ colorType: 3 }), /palette/],
      [d({ corruptCrc: true }), /bad CRC in IHDR/],
      [d({}).subarray(0, 50), /truncated/],
      [Buffer.from("not a png at all"), /bad signature/],
    ];
    for (const [bytes, re] of cases) assert.throws(() => decodePng({ bytes }), (e: unknown) => e instanceof ImageDecodeError && re.test(e.message), String(re));
    // wrong size for the model
    const small = encodePng({ width: 4, height: 4, channels: 1, colorType: 0, data: new Uint8Array(16) });
    assert.throws(() => decodeImage({ bytes: small }), /image is 4×4, expected 28×28/);
    // IDAT inflating to the wrong length
    const bad = Buffer.concat([small.subarray(0, 33), chunk("IDAT", deflateSync(Buffer.alloc(3))), chunk("IEND", new Uint8Array())]);
    assert.throws(() => decodePng({ bytes: bad }), /image data is 3 bytes, expected 20/);
  });
});

describe("PGM", () => {
  const p5 = (header: string, body: Uint8Array) => Buffer.concat([Buffer.from(header, "latin1"), body]);
  it("decodes P5 (raw) and P2 (plain) with comments, scaling maxval", () => {
    assert.deepEqual(decodeImage({ bytes: p5("P5\n# a comment\n28 28\n255\n", gray) }), { format: "pgm", pixels: Array.from(gray) });
    const plain = `P2\n# digit\n28 28\n255\n${Array.from(gray).join(" ")}\n`;
    assert.deepEqual(decodePgm({ bytes: Buffer.from(plain) }).pixels, Array.from(gray));
    assert.deepEqual(decodePgm({ bytes: Buffer.from("P2 2 1 15 0 15") }).pixels, [0, 255]);
    const wide = Buffer.from([0x00, 0x00, 0xff, 0xff]);
    assert.deepEqual(decodePgm({ bytes: p5("P5 2 1 65535\n", wide) }).pixels, [0, 255]);
    assert.deepEqual(decodeImage({ bytes: p5("P5 28 28 255\n", gray), invert: true }).pixels, Array.from(gray, (v) => 255 - v));
  });
  it("rejects malformed files with a specific message", () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from("P3 28 28 255\n"), /not a PGM/],
      [Buffer.from("P5 28 x 255\n"), /bad height/],
      [Buffer.from("P5 28 28 0\n"), /maxval must be in 1..65535/],
      [p5("P5 28 28 255\n", gray.subarray(0, 700)), /truncated raster, 700 of 784/],
      [Buffer.from("P2 2 1 255 0"), /truncated, 1 of 2 pixels/],
      [Buffer.from("P2 2 1 10 0 11"), /pixel 1 = 11 exceeds maxval 10/],
      [Buffer.from("P2 2 1 255 0 1 2"), /unexpected data after 2 pixels/],
      [Buffer.from("P2 2 1 255 0 -1"), /bad pixel value/],
      [Buffer.from("P5"), /missing whitespace/],
    ];
    for (const [bytes, re] of cases) assert.throws(() => decodePgm({ bytes }), (e: unknown) => e instanceof ImageDecodeError && re.test(e.message), String(re));
    assert.throws(() => decodeImage({ bytes: Buffer.from("GIF89a") }), /unknown image format/);
  });
});
