// Device passwords must be readable by curfew (it logs in to devices) yet not sit in the database in clear text:
// they are sealed with AES-256-GCM under a key kept outside the database: a 0600 file in the data dir, or — where
// several nodes share one PostgreSQL and so must share the key — the base64 value of CURFEW_SECRET_KEY.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
    this.#key = key;
  }

  /** Loads `<dataDir>/secret.key`, creating it on first use. */
  static fromDataDir(dataDir: string): SecretBox {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
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
