import { LogLevel } from '@slack/bolt';
import { createLogger } from '../../src/adapters/observability/logger';
import { boltLogger } from '../../src/adapters/slack/boltLogger';
import { bufferLogger } from '../support/logs';

describe('the one logger', () => {
  test('LOG_LEVEL=warn writes warn and error, not debug or info', () => {
    const { logger, lines } = bufferLogger('warn');
    logger.debug('a debug line');
    logger.info('an info line');
    logger.child('slack').info('an info line of a component');
    logger.warn('a warning');
    logger.child('teams').error('an error');
    expect(lines.map((l) => l.msg)).toEqual(['a warning', 'an error']);
  });

  test('each line is one JSON object with level, time, msg and component', () => {
    const raw: string[] = [];
    const logger = createLogger('info', { write: (s) => raw.push(s) });
    logger.info('started');
    logger.child('nudges').warn('slow tick', { ms: 1200 });
    expect(raw).toHaveLength(2);
    for (const s of raw) {
      expect(s.endsWith('\n')).toBe(true);
      expect(s.trim().split('\n')).toHaveLength(1);
    }
    const [a, b] = raw.map((s) => JSON.parse(s));
    expect(a).toMatchObject({ level: 'info', msg: 'started', component: 'app' });
    expect(b).toMatchObject({ level: 'warn', msg: 'slow tick', component: 'nudges', ms: 1200 });
    expect(new Date(a.time).toISOString()).toBe(a.time);
    // A child of a child names its own component once (no duplicate keys in the line).
    const nested: string[] = [];
    createLogger('info', { write: (s) => nested.push(s) })
      .child('slack')
      .child('store')
      .info('x');
    expect(nested[0]?.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(nested[0] as string).component).toBe('store');
  });

  test('errors keep their message, code and stack, never their other properties; secrets and bodies are redacted', () => {
    const { logger, lines } = bufferLogger('debug');
    const e = Object.assign(new Error('chat.postMessage failed'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'channel_not_found', response_metadata: { scopes: ['x'] } },
      config: { headers: { Authorization: 'Bearer xoxb-secret' } },
      headers: { authorization: 'Bearer xoxb-secret' },
    });
    logger.error('Slack call failed', e, {
      channel: 'C1',
      token: 'xoxb-secret',
      body: 'payload=%7B%7D',
      nested: { client_secret: 's3', fine: 1 },
    });
    const line = lines[0] as Record<string, unknown>;
    expect(JSON.stringify(line)).not.toMatch(/xoxb-secret|s3"|payload=/);
    expect(line).toMatchObject({
      msg: 'Slack call failed',
      channel: 'C1',
      token: '[redacted]',
      body: '[redacted]',
      nested: { client_secret: '[redacted]', fine: 1 },
      err: { type: 'Error', message: 'chat.postMessage failed', code: 'slack_webapi_platform_error' },
    });
    expect((line.err as Record<string, unknown>).slackError).toBe('channel_not_found');
    expect((line.err as Record<string, unknown>).stack).toMatch(/logger\.test\.ts/);
  });

  test("Slack's libraries log through it, never below warn (they log request bodies at debug)", () => {
    const { logger, lines } = bufferLogger('debug');
    const lib = boltLogger(logger.child('slack'));
    lib.setLevel(LogLevel.DEBUG);
    expect(lib.getLevel()).toBe(LogLevel.WARN);
    lib.debug('http request body: {"token":"xoxb"}');
    lib.info('something');
    lib.warn('Could not determine the type of an incoming event.');
    lib.error(new Error('listener failed'));
    lib.setLevel(LogLevel.ERROR);
    lib.warn('dropped now');
    expect(lines.map((l) => [l.level, l.msg, l.component])).toEqual([
      ['warn', 'Could not determine the type of an incoming event.', 'slack'],
      ['error', 'Slack library', 'slack'],
    ]);
    expect(lines[1]?.err).toMatchObject({ message: 'listener failed' });
  });
});
