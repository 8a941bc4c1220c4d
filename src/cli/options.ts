// Parsers for command-line values: each fails with a message that names the option and what it expects.
import { InvalidArgumentError } from 'commander';
import { parseGroupPath } from '../connectors/bigip/data-group.js';

export function parseInteger(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port` or a bare port (loopback). */
export function parseListen(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+))?:?(\d+)$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected host:port (e.g. 127.0.0.1:8443), got "${value}"`);
  }
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

/** A BIG-IP data group's full path, `/<partition>/<name>` (the deny list curfews keep). */
export function parseDataGroupPath(value: string): string {
  try {
    parseGroupPath(value);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  return value;
}
