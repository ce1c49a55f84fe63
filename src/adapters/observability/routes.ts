import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type express from 'express';
import type { Store } from '../../app/ports';
import type { Logger } from './logger';

export interface ObservabilityDeps {
  store: Pick<Store, 'kind' | 'ping'>;
  /** The Prometheus text of /metrics. */
  metrics: { contentType(): string; text(): Promise<string> };
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`; when unset, only loopback may ask. */
  metricsToken?: string | undefined;
  /** True once the app is shutting down: /readyz answers 503 so that load balancers stop sending work. */
  stopping: () => boolean;
  logger: Logger;
  /** How long the store may take to answer the readiness ping (default 2 s). */
  readyTimeoutMs?: number;
}

/**
 * GET /healthz (the process is up: always 200), GET /readyz (200 when the store answers a ping within 2 s and the
 * app is not shutting down, else 503 with the reason) and GET /metrics (Prometheus text, guarded).
 */
export function mountObservability(web: express.Express, d: ObservabilityDeps): void {
  const timeoutMs = d.readyTimeoutMs ?? 2000;
  let wasReady = true;
  const readiness = (r: PingResult) => {
    // Probes come every few seconds: log the changes, not every answer.
    const ready = r.reason === null;
    if (ready !== wasReady) {
      if (ready) d.logger.info('ready again: the store answers');
      else d.logger.warn(`not ready: ${r.reason}`, r.error);
    }
    wasReady = ready;
  };

  web.get('/healthz', (_req, res) => {
    res.json({ ok: true, store: d.store.kind });
  });

  web.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (d.stopping()) {
      res.status(503).json({ ready: false, reason: 'shutting down' });
      return;
    }
    const r = await pingWithin(d.store, timeoutMs);
    readiness(r);
    if (r.reason === null) res.json({ ready: true, store: d.store.kind });
    else res.status(503).json({ ready: false, reason: r.reason });
  });

  web.get('/metrics', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const denied = metricsAccess(
      { remoteAddress: req.socket.remoteAddress, headers: req.headers },
      d.metricsToken,
    );
    if (denied) {
      if (denied === 401) res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      res
        .status(denied)
        .type('text/plain')
        .send(denied === 401 ? 'unauthorized\n' : 'forbidden\n');
      return;
    }
    try {
      const body = await d.metrics.text();
      res.type(d.metrics.contentType()).send(body);
    } catch (e) {
      d.logger.error('collecting metrics failed', e);
      res.status(500).type('text/plain').send('metrics could not be collected\n');
    }
  });
}

interface PingResult {
  /** null when the store answered in time; else why not (no error details in answers: the log has them). */
  reason: string | null;
  error?: unknown;
}

async function pingWithin(store: Pick<Store, 'ping'>, ms: number): Promise<PingResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PingResult>((resolve) => {
    timer = setTimeout(() => resolve({ reason: `store did not answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      store.ping().then(
        (): PingResult => ({ reason: null }),
        (error: unknown): PingResult => ({ reason: 'store ping failed', error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Who may read /metrics: with a token, a request carrying `Authorization: Bearer <token>` (compared in constant
 * time) and nobody else (401); without one, requests from this machine's loopback address that did not come
 * through a proxy (403 otherwise). Returns null when allowed.
 */
export function metricsAccess(
  req: { remoteAddress: string | undefined; headers: IncomingHttpHeaders },
  token: string | undefined,
): 401 | 403 | null {
  if (token) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m && sameSecret(m[1] as string, token) ? null : 401;
  }
  // A reverse proxy on this host connects from loopback: what it forwards is not local.
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !proxied && isLoopback(req.remoteAddress) ? null : 403;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (::ffff:127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  const parts = v4.split('.');
  return (
    parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

/** Constant-time comparison of two secrets of any length (both hashed first, so lengths do not leak). */
function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(given), h(expected));
}
