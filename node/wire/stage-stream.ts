/**
 * The stage stream: `POST /v1/stages/execute` over one persistent, multiplexed TCP connection per
 * (caller, node), for the fast path's hops (coordinator → stage 0, node → next stage).
 *
 * Why: on this kind of machine an HTTP/1.1 exchange between two processes costs ≈ 0.4–0.6 ms on
 * loopback (node:http + fastify, measured) against ≈ 0.05–0.1 ms for a length-prefixed frame on a
 * socket already open; a 2-stage pipeline through the coordinator crosses two such hops.
 *
 * Handshake (HTTP/1.1 Upgrade on the node's own port, so no new endpoint is advertised):
 *   GET <endpoint>/v1/stages/stream   Connection: Upgrade   Upgrade: proofmesh-stages/1
 *   → 101 Switching Protocols (a node without the stream answers 404: callers fall back to HTTP).
 * Frames (all integers big-endian):
 *   request   [u32 bodyBytes][u32 id][body]                            body = the HTTP request body (JSON)
 *   response  [u32 bodyBytes][u32 id][u16 status][u16 timingBytes][timing][body]
 *                                                                       = the HTTP answer's status, Server-Timing, body
 * The node answers each request frame exactly as it answers the HTTP request (same route, schemas,
 * errors); answers may come out of order (matched by id). A frame larger than the node's body limit,
 * or any framing error, closes the connection.
 */
export const STAGE_STREAM_PATH = "v1/stages/stream";
export const STAGE_STREAM_PROTOCOL = "proofmesh-stages/1";
export const REQUEST_HEADER_BYTES = 8;
export const RESPONSE_HEADER_BYTES = 12;

export class StageStreamFrameError extends Error {
  override name = "StageStreamFrameError";
}

export function encodeRequestFrame(id: number, body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(REQUEST_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(id, 4);
  body.copy(frame, REQUEST_HEADER_BYTES);
  return frame;
}

export function encodeResponseFrame(id: number, status: number, timing: string, body: Buffer): Buffer {
  const t = Buffer.from(timing.slice(0, 1024), "latin1");
  const frame = Buffer.allocUnsafe(RESPONSE_HEADER_BYTES + t.length + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(id, 4);
  frame.writeUInt16BE(status, 8);
  frame.writeUInt16BE(t.length, 10);
  t.copy(frame, RESPONSE_HEADER_BYTES);
  body.copy(frame, RESPONSE_HEADER_BYTES + t.length);
  return frame;
}

export type RequestFrame = { id: number; body: Buffer };
export type ResponseFrame = { id: number; status: number; timing: string; body: Buffer };

/**
 * Incremental frame reader: push() socket chunks, get whole frames back. Throws
 * StageStreamFrameError when a frame announces more than `maxBodyBytes` (the caller closes).
 */
export function createFrameReader<K extends "request" | "response">(kind: K, maxBodyBytes: number) {
  let buf: Buffer = Buffer.alloc(0);
  const header = kind === "request" ? REQUEST_HEADER_BYTES : RESPONSE_HEADER_BYTES;
  return {
    push(chunk: Buffer): (K extends "request" ? RequestFrame : ResponseFrame)[] {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const out: (RequestFrame | ResponseFrame)[] = [];
      for (;;) {
        if (buf.length < header) break;
        const bodyBytes = buf.readUInt32BE(0);
        if (bodyBytes > maxBodyBytes) throw new StageStreamFrameError(`frame of ${bodyBytes} bytes, at most ${maxBodyBytes} allowed`);
        const id = buf.readUInt32BE(4);
        if (kind === "request") {
          if (buf.length < header + bodyBytes) break;
          out.push({ id, body: Buffer.from(buf.subarray(header, header + bodyBytes)) });
          buf = buf.subarray(header + bodyBytes);
        } else {
          const timingBytes = buf.readUInt16BE(10);
          const total = header + timingBytes + bodyBytes;
          if (buf.length < total) break;
          out.push({ id, status: buf.readUInt16BE(8), timing: buf.toString("latin1", header, header + timingBytes), body: Buffer.from(buf.subarray(header + timingBytes, total)) });
          buf = buf.subarray(total);
        }
      }
      return out as (K extends "request" ? RequestFrame : ResponseFrame)[];
    },
    /** bytes received but not yet part of a whole frame */
    pending: () => buf.length,
  };
}
