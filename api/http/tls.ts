import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads `TLS_CERT` and `TLS_KEY` (PEM files) at start and checks that they form a usable pair, so
 * a wrong path or a mismatched key stops the process at once instead of failing every handshake.
 */
export function loadTlsFiles(paths: { readonly cert?: string; readonly key?: string }): TlsFiles | undefined {
  if (!paths.cert && !paths.key) return undefined;
  if (!paths.cert || !paths.key) throw new Error('TLS needs both TLS_CERT and TLS_KEY; only one is set');
  const cert = readPem('TLS_CERT', paths.cert);
  const key = readPem('TLS_KEY', paths.key);
  try {
    createSecureContext({ cert, key });
  } catch (cause) {
    throw new Error(`TLS_CERT and TLS_KEY are not a usable certificate and private key: ${(cause as Error).message}`, { cause });
  }
  return { cert, key };
}

function readPem(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new Error(`${name}: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}

export interface MutualTlsFiles extends TlsFiles {
  /** The CA every peer's certificate must chain to. */
  readonly ca: Buffer;
}

/** The internal port's certificate, key and peers' CA (CRASHDESK_INTERNAL_TLS_*), read and checked at start like TLS_CERT. */
export function loadMutualTlsFiles(paths: { readonly cert: string; readonly key: string; readonly ca: string }): MutualTlsFiles {
  const cert = readPem('CRASHDESK_INTERNAL_TLS_CERT', paths.cert);
  const key = readPem('CRASHDESK_INTERNAL_TLS_KEY', paths.key);
  const ca = readPem('CRASHDESK_INTERNAL_TLS_CA', paths.ca);
  try {
    createSecureContext({ cert, key, ca });
  } catch (cause) {
    throw new Error(`CRASHDESK_INTERNAL_TLS_CERT, _KEY and _CA are not a usable certificate, key and CA: ${(cause as Error).message}`, { cause });
  }
  return { cert, key, ca };
}
