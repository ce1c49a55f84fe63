import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Links } from '../../app/links';
import type { Clock } from '../../app/ports';

/**
 * Signed dashboard links: `k = base64url(JSON{t,d,e}) "." base64url(HMAC-SHA256(secret, payload))`.
 * A link names exactly one (tenant, district) and an expiry; nothing else grants access to a dashboard.
 */
export interface LinkClaims {
  /** Tenant id, e.g. "slack:T123" or "teams:<tenant guid>". */
  t: string;
  /** District id. */
  d: string;
  /** Expiry, seconds since the epoch. */
  e: number;
  /** 1: the co-op network page shows practice notes (the link was handed to a reader of notes, `network.notes`). */
  n?: 1;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'expired' };

const b64 = (b: Buffer) => b.toString('base64url');

export class LinkSigner {
  private readonly key: Buffer;
  /** True when the secret was generated at start-up (links stop working on restart). */
  readonly ephemeral: boolean;

  constructor(secret: string | undefined) {
    this.ephemeral = !secret;
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }

  sign(claims: LinkClaims): string {
    const body = { t: claims.t, d: claims.d, e: claims.e, ...(claims.n === 1 ? { n: 1 } : {}) };
    const payload = b64(Buffer.from(JSON.stringify(body), 'utf8'));
    return `${payload}.${b64(this.mac(payload))}`;
  }

  issue(
    tenantId: string,
    districtId: string,
    now: Date,
    ttlMs: number,
    opts: { notes?: boolean } = {},
  ): { token: string; expiresAt: Date } {
    const e = Math.floor((now.getTime() + ttlMs) / 1000);
    const claims: LinkClaims = { t: tenantId, d: districtId, e, ...(opts.notes ? { n: 1 as const } : {}) };
    return { token: this.sign(claims), expiresAt: new Date(e * 1000) };
  }

  verify(token: unknown, now: Date): LinkCheck {
    if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing' };
    if (token.length > 2048) return { ok: false, reason: 'malformed' };
    const parts = token.split('.');
    if (
      parts.length !== 2 ||
      !/^[A-Za-z0-9_-]+$/.test(parts[0] ?? '') ||
      !/^[A-Za-z0-9_-]+$/.test(parts[1] ?? '')
    )
      return { ok: false, reason: 'malformed' };
    const [payload, sig] = parts as [string, string];
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'bad-signature' };
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const c = claims as Partial<LinkClaims> | null;
    if (!c || typeof c.t !== 'string' || typeof c.d !== 'string' || typeof c.e !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    if (c.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { t: c.t, d: c.d, e: c.e, ...(c.n === 1 ? { n: 1 as const } : {}) } };
  }
}

/** The Links port of src/app (what `dashboard` and `export` hand out), signed with `signer`, on `baseUrl`. */
export function webLinks(deps: {
  signer: LinkSigner;
  clock: Clock;
  baseUrl: () => string;
  linkTtlMs: number;
}): Links {
  const token = (tenantId: string, districtId: string, opts: { notes?: boolean } = {}) =>
    deps.signer.issue(tenantId, districtId, deps.clock.now(), deps.linkTtlMs, opts);
  return {
    dashboard(tenantId, districtId) {
      const { token: k, expiresAt } = token(tenantId, districtId);
      return { url: `${deps.baseUrl()}/dashboard?k=${k}`, expiresAt };
    },
    exportUrl(tenantId, districtId, reviewId, format) {
      const { token: k } = token(tenantId, districtId);
      return `${deps.baseUrl()}/dashboard/reviews/${encodeURIComponent(reviewId)}/export.${format}?k=${k}`;
    },
    network(tenantId, districtId, opts = {}) {
      const { token: k, expiresAt } = token(tenantId, districtId, opts);
      return { url: `${deps.baseUrl()}/dashboard/network?k=${k}`, expiresAt };
    },
  };
}
