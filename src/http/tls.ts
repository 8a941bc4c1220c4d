// Self-signed certificates for the lab fleet and for local servers that have no real certificate.
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface SelfSignedCert {
  cert: string;
  key: string;
}

/** A one-year ECDSA P-256 certificate; names that parse as IP addresses become IP SANs, the rest DNS SANs. */
export async function createSelfSignedCert(commonName: string, altNames: string[] = []): Promise<SelfSignedCert> {
  const names = [...new Set([commonName, ...altNames])];
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) =>
          isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
        ),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
