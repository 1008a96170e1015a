/**
 * Routes that take a raw `application/octet-stream` body (a zkey, a key file): registered inside
 * `rawBodyScope`, an encapsulated fastify scope whose ONLY content-type parser is
 * application/octet-stream (as a Buffer, at most `bodyLimit` bytes). Any other content type is
 * 415 UNSUPPORTED_MEDIA_TYPE before a byte is parsed; the rest of the API keeps its JSON parser
 * and its 256 KiB limit.
 */
import type { FastifyInstance, FastifySchemaCompiler } from "fastify";
import { Type, type TSchema } from "typebox";
import { strictValidatorCompiler } from "../../node/wire/http-validator.ts";
import { ApiProblem } from "../errors.ts";

export const OCTET_STREAM = "application/octet-stream";

declare module "fastify" {
  interface FastifyContextConfig {
    /** the media type a route's body must have (error messages of 413 / 415) */
    mediaType?: string;
  }
}

/** The OpenAPI body of a raw route (documentation: the parser already made it a Buffer of the right type). */
export const RawBodySchema = Type.Unsafe<Buffer>({ type: "string", format: "binary" });

/** Validation of a raw route: the body is the parser's Buffer (not validated against RawBodySchema); params / headers as everywhere. */
export const rawValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => (route.httpPart === "body" ? (value: unknown) => ({ value }) : strictValidatorCompiler(route));

/** Registers `routes` in a scope that parses application/octet-stream bodies only. */
export async function rawBodyScope(parent: FastifyInstance, bodyLimit: number, routes: (scope: FastifyInstance) => void | Promise<void>): Promise<void> {
  await parent.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(OCTET_STREAM, { parseAs: "buffer", bodyLimit }, (_req, body, done) => done(null, body));
    await routes(scope);
  });
}

/** The body of a raw-body route: a Buffer (the scope's parser), else 415. */
export function rawBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", `send the bytes as ${OCTET_STREAM}`);
}
