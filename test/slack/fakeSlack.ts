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
 * the WebClient: auth.test, chat.postMessage/update/postEphemeral, views.open/publish, oauth.v2.access, and the
 * external file upload (files.getUploadURLExternal → POST to the upload URL on this fake → files.completeUploadExternal).
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server: http.Server | null = null;
  private tsCounter = 1000;
  private overrides = new Map<string, Override[]>();
  url = '';
  /** Where apps.connections.open sends Socket Mode clients. */
  socketUrl = '';
  /** Files announced by files.getUploadURLExternal, their bytes once POSTed to the upload URL, and where completed. */
  readonly files = new Map<string, FakeFile>();
  private fileCounter = 0;

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
      if ((req.url ?? '').startsWith('/upload/')) {
        this.onUpload(req, Buffer.concat(chunks), res).catch(() => res.writeHead(500).end());
        return;
      }
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

  /** The upload step: the WebClient POSTs the bytes as multipart/form-data (one file part) to the upload URL. */
  private async onUpload(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<void> {
    const id = decodeURIComponent((req.url ?? '').slice('/upload/'.length));
    const file = this.files.get(id);
    const type = req.headers['content-type'] ?? 'application/octet-stream';
    this.calls.push({
      method: 'upload',
      args: { file_id: id, content_type: type },
      token: null,
      at: Date.now(),
    });
    if (!file || req.method !== 'POST') {
      res.writeHead(404).end('unknown upload');
      return;
    }
    let bytes = raw;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const part = [...form.values()].find((v) => typeof v !== 'string');
      if (!part || typeof part === 'string') {
        res.writeHead(400).end('no file part');
        return;
      }
      bytes = Buffer.from(await part.arrayBuffer());
    }
    if (bytes.length !== file.length) {
      res.writeHead(400).end(`length ${bytes.length} differs from announced ${file.length}`);
      return;
    }
    file.bytes = bytes;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (!args.filename || !Number.isInteger(length) || length < 1)
          return { ok: false, error: 'invalid_arguments' };
        const id = `F${++this.fileCounter}`;
        this.files.set(id, { id, filename: String(args.filename), length, bytes: null, completed: null });
        return { ok: true, upload_url: `${this.url.replace(/\/api\/$/, '')}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as Array<{
          id: string;
          title?: string;
        }>;
        const done = [];
        for (const f of list ?? []) {
          const file = this.files.get(f.id);
          if (!file?.bytes) return { ok: false, error: 'file_not_found' };
          file.completed = {
            channel: (args.channel_id as string | undefined) ?? null,
            initialComment: (args.initial_comment as string | undefined) ?? null,
            title: f.title ?? null,
          };
          done.push({ id: f.id, name: file.filename, title: f.title });
        }
        return done.length ? { ok: true, files: done } : { ok: false, error: 'invalid_arguments' };
      }
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

export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  /** The bytes POSTed to the upload URL (null until then). */
  bytes: Buffer | null;
  /** Set by files.completeUploadExternal: where the file was shared. */
  completed: { channel: string | null; initialComment: string | null; title: string | null } | null;
}

const pick = (a: Record<string, unknown>): Record<string, unknown> => ({
  channel: a.channel,
  ts: a.ts,
  user: a.user,
});
