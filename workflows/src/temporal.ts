/**
 * Connections to Temporal from settings (plaintext, TLS with optional mTLS, or an API key).
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalSettings } from './config';

function tlsOptions(s: TemporalSettings) {
  if (!s.tls && !s.apiKey) return undefined;
  const t = s.tls ?? {};
  const read = (p?: string) => (p ? fs.readFileSync(p) : undefined);
  const clientCert = read(t.clientCertPath);
  const clientKey = read(t.clientKeyPath);
  return {
    serverRootCACertificate: read(t.serverRootCACertificatePath),
    serverNameOverride: t.serverNameOverride,
    ...(clientCert && clientKey ? { clientCertPair: { crt: clientCert, key: clientKey } } : {}),
  };
}

/** A client connection (for starting workflows, updates, queries, operator calls). */
export async function connectClient(s: TemporalSettings): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect({ address: s.address, tls: tlsOptions(s), apiKey: s.apiKey });
  return { connection, client: new Client({ connection, namespace: s.namespace }) };
}

/** A worker connection. */
export async function connectWorker(s: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({ address: s.address, tls: tlsOptions(s), apiKey: s.apiKey });
}
