// Device passwords must be readable by curfew (it logs in to devices) yet not sit in the database in clear text:
// they are sealed with AES-256-GCM under a key kept outside the database: a 0600 file in the data dir, or — where
// several nodes share one PostgreSQL and so must share the key — the base64 value of CURFEW_SECRET_KEY.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile, ensurePrivateDir } from './private-files.js';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
    this.#key = key;
  }

  /**
   * Loads `<dataDir>/secret.key`, creating it on first use. With `create: false` nothing is created: a missing key
   * fails only when a secret is sealed or opened, so commands that need none (listing devices) still work.
   */
  static fromDataDir(dataDir: string, { create = true }: { create?: boolean } = {}): SecretBox {
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) {
      if (!create)
        return new MissingSecretBox(`no secret key: ${file} does not exist and CURFEW_SECRET_KEY is not set`);
      ensurePrivateDir(dataDir);
      createPrivateFile(file, randomBytes(32).toString('base64'));
    }
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  /** A key given as base64 (CURFEW_SECRET_KEY): how nodes sharing one PostgreSQL share the key. */
  static fromBase64(encoded: string): SecretBox {
    const key = Buffer.from(encoded.trim(), 'base64');
    if (key.length !== 32) {
      throw new Error(
        `the secret key must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length}`,
      );
    }
    return new SecretBox(key);
  }

  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** Stands in for a key that does not exist: sealing or opening a secret fails and says why. */
class MissingSecretBox extends SecretBox {
  readonly #reason: string;

  constructor(reason: string) {
    super(randomBytes(32));
    this.#reason = reason;
  }

  override seal(): string {
    throw new Error(this.#reason);
  }

  override open(): string {
    throw new Error(this.#reason);
  }
}
