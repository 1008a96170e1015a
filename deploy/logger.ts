import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

/** JSON logs on stderr, so stdout stays free for tables and machine-readable output. */
export function createLogger({ level = "info", name = "proofmesh-deploy" }: { level?: string; name?: string } = {}): Logger {
  return pino({ name, level, base: undefined }, pino.destination(2));
}
