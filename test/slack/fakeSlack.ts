import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
}

type Override = { status?: number; retryAfter?: number; body?: Record<string, unknown> };

/**
 * A local fake of the Slack Web API on 127.0.0.1 that records every call. Enough of the real answers for Bolt and
 * the WebClient: auth.test, chat.postMessage/update/postEphemeral, views.open/publish, oauth.v2.access.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server: http.Server | null = null;
  private tsCounter = 1000;
  private overrides = new Map<string, Override[]>();
  url = '';
  /** Where apps.connections.open sends Socket Mode clients. */
  socketUrl = '';

  /** `keepArgs: false` records method and time only (long benchmarks). */
  constructor(private readonly o: { keepArgs?: boolean } = {}) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 60000;
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** The next call(s) of `method` get this answer instead of the normal one. */
  failNext(method: string, o: Override, times = 1): void {
    const list = this.overrides.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(o);
    this.overrides.set(method, list);
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const raw = Buffer.concat(chunks).toString('utf8');
      const args: Record<string, unknown> = {};
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        Object.assign(args, raw ? JSON.parse(raw) : {});
      } else {
        for (const [k, v] of new URLSearchParams(raw)) {
          args[k] = (k === 'blocks' || k === 'view' || k === 'attachments') && v ? JSON.parse(v) : v;
        }
      }
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ')
        ? auth.slice(7)
        : ((args.token as string | undefined) ?? null);
      this.calls.push({ method, args: this.o.keepArgs === false ? pick(args) : args, token, at: Date.now() });
      const o = this.overrides.get(method)?.shift();
      if (o) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (o.retryAfter !== undefined) headers['retry-after'] = String(o.retryAfter);
        res
          .writeHead(o.status ?? 200, headers)
          .end(JSON.stringify(o.body ?? { ok: false, error: 'ratelimited' }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(this.answer(method, args)));
    });
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'not_allowed' };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', team: 'Test', url: 'https://x/' };
      case 'chat.postMessage':
        return {
          ok: true,
          channel: args.channel,
          ts: `${++this.tsCounter}.000100`,
          message: { text: args.text },
        };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.tsCounter}.000200` };
      case 'views.open':
      case 'views.publish':
        return { ok: true, view: { id: `V${++this.tsCounter}` } };
      case 'oauth.v2.access':
        return {
          ok: true,
          app_id: 'A1',
          authed_user: { id: 'UINSTALLER' },
          scope: 'commands,chat:write,chat:write.public,users:read',
          token_type: 'bot',
          access_token: 'xoxb-installed-T9',
          bot_user_id: 'UBOT9',
          team: { id: 'T9', name: 'Nine' },
          enterprise: null,
          is_enterprise_install: false,
        };
      default:
        return { ok: true };
    }
  }
}

const pick = (a: Record<string, unknown>): Record<string, unknown> => ({
  channel: a.channel,
  ts: a.ts,
  user: a.user,
});
