import type * as http from 'node:http';
import express from 'express';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  activityId: string | null;
  body: Record<string, unknown>;
  at: number;
  authorization: string | undefined;
}

/**
 * A local fake of the Bot Connector REST API (the far side of botbuilder) on 127.0.0.1. Records every call;
 * `failures` makes the next calls answer with the given status codes (e.g. 429, 502) before succeeding.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  failures: Array<{ status: number; retryAfter?: string }> = [];
  /**
   * Conversations (exact id, e.g. a channel's "19:…@thread.tacv2", not its threads) whose sends and updates are
   * refused with this status and error code every time, as when the bot is not in that channel's team.
   */
  refuse = new Map<string, { status: number; code: string }>();
  /** Team roster served by GET /v3/conversations/:conv/members/:id (TeamsInfo.getMember). */
  directory = new Map<string, { id: string; name: string; aadObjectId: string }>();
  /**
   * The roster served by GET /v3/conversations/:conv/pagedmembers (TeamsInfo.getPagedMembers), paged by `pageSize`
   * with the next offset as the continuation token; empty: the `directory`'s people.
   */
  pagedMembers: Array<{ id: string; name: string; aadObjectId?: string; userRole?: string }> = [];
  private server: http.Server | null = null;
  private n = 0;
  url = '';

  async start(): Promise<this> {
    const app = express();
    app.use(express.json({ limit: '5mb' }));
    const record = (req: express.Request, res: express.Response) => {
      const params = req.params as { conv: string; id?: string };
      this.calls.push({
        method: req.method,
        path: req.path,
        conversationId: params.conv,
        activityId: params.id ?? null,
        body: req.body as Record<string, unknown>,
        at: Date.now(),
        authorization: req.get('authorization'),
      });
      const refused = this.refuse.get(params.conv);
      if (refused) {
        res.status(refused.status).json({ error: { code: refused.code, message: 'fake refusal' } });
        return;
      }
      const fail = this.failures.shift();
      if (fail) {
        if (fail.retryAfter) res.set('Retry-After', fail.retryAfter);
        res.status(fail.status).json({ error: { code: 'Throttled', message: 'fake failure' } });
        return;
      }
      res
        .status(req.method === 'PUT' ? 200 : 201)
        .json({ id: params.id && req.method === 'PUT' ? params.id : `act-${++this.n}` });
    };
    app.get('/v3/conversations/:conv/pagedmembers', (req, res) => {
      this.calls.push({
        method: 'GET',
        path: req.path,
        conversationId: req.params.conv,
        activityId: null,
        body: { ...req.query },
        at: Date.now(),
        authorization: req.get('authorization'),
      });
      const all = this.pagedMembers.length ? this.pagedMembers : [...this.directory.values()];
      const from = Number(req.query.continuationToken ?? 0) || 0;
      const size = Math.min(Number(req.query.pageSize ?? 200) || 200, 500);
      const next = from + size < all.length ? String(from + size) : undefined;
      res.json({ members: all.slice(from, from + size), ...(next ? { continuationToken: next } : {}) });
    });
    app.get('/v3/conversations/:conv/members/:id', (req, res) => {
      const m = this.directory.get(req.params.id);
      this.calls.push({
        method: 'GET',
        path: req.path,
        conversationId: req.params.conv,
        activityId: null,
        body: {},
        at: Date.now(),
        authorization: req.get('authorization'),
      });
      if (m) res.json(m);
      else res.status(404).json({ error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
    });
    app.post('/v3/conversations/:conv/activities', record);
    app.post('/v3/conversations/:conv/activities/:id', record);
    app.put('/v3/conversations/:conv/activities/:id', record);
    app.use((req, res) => {
      this.calls.push({
        method: req.method,
        path: req.path,
        conversationId: '',
        activityId: null,
        body: {},
        at: Date.now(),
        authorization: undefined,
      });
      res.status(404).json({ error: 'unknown route' });
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = this.server?.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    return this;
  }

  clear() {
    this.calls.length = 0;
  }

  /** Successful sends and updates (failed attempts excluded), in order. */
  get delivered(): ConnectorCall[] {
    return this.calls;
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
