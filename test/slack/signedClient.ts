import { signBody } from '../../src/adapters/slack/guard';

export interface SendOptions {
  retryNum?: number;
  /** Seconds offset added to the signing timestamp (e.g. -400 = more than five minutes old). */
  skewSeconds?: number;
  badSignature?: boolean;
  contentType?: string;
}

export interface Sent {
  status: number;
  body: string;
  ms: number;
}

/** Sends correctly signed requests to /slack/events like Slack does. */
export class SignedClient {
  constructor(
    readonly url: string,
    readonly secret: string,
  ) {}

  async raw(body: string, o: SendOptions = {}): Promise<Sent> {
    const ts = Math.floor(Date.now() / 1000) + (o.skewSeconds ?? 0);
    let sig = signBody(this.secret, ts, body);
    if (o.badSignature) sig = sig.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const headers: Record<string, string> = {
      'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': sig,
    };
    if (o.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(o.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const t0 = performance.now();
    const res = await fetch(this.url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - t0 };
  }

  command(fields: Record<string, string>, o: SendOptions = {}): Promise<Sent> {
    const form = new URLSearchParams({
      command: '/micip',
      team_id: 'T1',
      team_domain: 'lakeview',
      channel_id: 'C1',
      channel_name: 'district-team',
      user_id: 'U_COORD',
      user_name: 'casey',
      response_url: 'https://hooks.slack.invalid/commands/1',
      trigger_id: `trig.${Math.random().toString(36).slice(2)}`,
      api_app_id: 'A1',
      text: '',
      ...fields,
    });
    return this.raw(form.toString(), o);
  }

  payload(p: unknown, o: SendOptions = {}): Promise<Sent> {
    return this.raw(`payload=${encodeURIComponent(JSON.stringify(p))}`, o);
  }

  event(e: unknown, o: SendOptions = {}): Promise<Sent> {
    return this.raw(JSON.stringify(e), { ...o, contentType: 'application/json' });
  }
}

let actionTs = 1_700_000_000;
let lastClickUs = 0;
/** A Slack `action_ts` of now ("seconds.micros"), strictly increasing across calls like real clicks. */
export function nextActionTs(): string {
  const us = Math.max(Date.now() * 1000, lastClickUs + 1);
  lastClickUs = us;
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** A block_actions payload for a click on a poll button. */
export function voteClick(o: {
  team?: string;
  user: string;
  name?: string;
  actionId: string;
  value: string;
  channel?: string;
  ts?: string;
  /** Slack's click time; default now. */
  actionTs?: string;
  /** The interaction's response_url (e.g. FakeSlack.responseUrl()); none by default. */
  responseUrl?: string;
}) {
  actionTs += 1;
  return {
    type: 'block_actions',
    team: { id: o.team ?? 'T1', domain: 'lakeview' },
    user: { id: o.user, username: o.name ?? o.user, name: o.name ?? o.user, team_id: o.team ?? 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trig.${actionTs}`,
    ...(o.responseUrl ? { response_url: o.responseUrl } : {}),
    container: {
      type: 'message',
      message_ts: o.ts ?? '1.0',
      channel_id: o.channel ?? 'C1',
      is_ephemeral: false,
    },
    channel: { id: o.channel ?? 'C1', name: 'district-team' },
    message: {
      ts: o.ts ?? '1.0',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: '1. Row' } }],
    },
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'b1',
        value: o.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: o.actionTs ?? nextActionTs(),
      },
    ],
  };
}
