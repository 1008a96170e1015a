import { ImageDecodeError } from "../errors.ts";
import { decodePgm } from "./pgm.ts";
import { decodePng } from "./png.ts";

export const MNIST_SIDE = 28;

export type DecodeImageParameters = {
  bytes: Uint8Array;
  /** required size (default 28×28, the MNIST input) */
  width?: number;
  height?: number;
  /** invert (255 - v): for dark digits on a light background (MNIST is light on dark) */
  invert?: boolean;
};
export type DecodeImageReturnType = { format: "png" | "pgm"; pixels: number[] };

/** Decodes a PNG or PGM (detected by magic bytes) into `width × height` grayscale pixels 0..255. */
export function decodeImage({ bytes, width = MNIST_SIDE, height = MNIST_SIDE, invert = false }: DecodeImageParameters): DecodeImageReturnType {
  let format: "png" | "pgm";
  if (bytes[0] === 0x89 && bytes[1] === 0x50) format = "png";
  else if (bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35)) format = "pgm";
  else throw new ImageDecodeError("unknown image format (expected PNG, or PGM P2/P5)");
  const img = format === "png" ? decodePng({ bytes }) : decodePgm({ bytes });
  if (img.width !== width || img.height !== height) throw new ImageDecodeError(`image is ${img.width}×${img.height}, expected ${width}×${height} grayscale`);
  return { format, pixels: invert ? img.pixels.map((v) => 255 - v) : img.pixels };
}
