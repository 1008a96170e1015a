/**
 * The fastify validator compiler of every ProofMesh HTTP API (coordinator and node).
 *
 * Bodies: TypeBox, no conversion (JSON already has types). Path params and query strings arrive
 * as text and TypeBox's own conversion (`Value.Convert`) is lenient: "1.5" → 1, "-0.5" → 0,
 * "0x10" → 16, "1e1" → 10, "true" → 1, " 5" → 5, "yes"... So before converting, a string for an
 * integer field must be canonical decimal and a string for a boolean field "true" or "false";
 * anything else is a 400 naming the field, like every other validation error.
 */
import { TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import type { TSchema } from "typebox";

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/** Why `text` is not an acceptable string form of a value of `schema` (undefined when it is). */
function strictScalar(schema: { type?: unknown }, text: string): string | undefined {
  if (schema.type === "integer") return CANONICAL_INTEGER.test(text) ? undefined : "must be an integer in decimal notation";
  if (schema.type === "boolean") return text === "true" || text === "false" ? undefined : 'must be "true" or "false"';
  return undefined;
}

export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const typebox = TypeBoxValidatorCompiler(route);
  if (route.httpPart === "body") return typebox;
  const properties = ((route.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}) as Record<string, { type?: unknown }>;
  return (value: unknown) => {
    if (value !== null && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        const schema = Object.hasOwn(properties, key) ? properties[key] : undefined;
        if (schema === undefined || typeof v !== "string") continue;
        const message = strictScalar(schema, v);
        if (message !== undefined) {
          const error: FastifySchemaValidationError = { keyword: "type", instancePath: `/${key}`, schemaPath: `#/properties/${key}/type`, params: { type: schema.type }, message };
          return { error: [error] };
        }
      }
    }
    return typebox(value);
  };
};
