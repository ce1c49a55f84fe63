import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, envSchema, loadConfig } from '../src/config';

describe('configuration', () => {
  test('defaults work with an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3978);
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.DEFAULT_TIMEZONE).toBe('America/Detroit');
  });

  test.each([
    ['PORT', 'abc', /^Configuration error: PORT must be a port number from 0 to 65535 \(got "abc"\)$/],
    ['PORT', '70000', /^Configuration error: PORT must be a port number/],
    ['MONGODB_URI', 'postgres://x', /^Configuration error: MONGODB_URI must start with mongodb:\/\//],
    [
      'DEFAULT_TIMEZONE',
      'America/Detriot',
      /^Configuration error: DEFAULT_TIMEZONE must be an IANA time zone/,
    ],
    ['LOG_LEVEL', 'loud', /^Configuration error: LOG_LEVEL must be one of/],
    ['PUBLIC_URL', 'not a url', /^Configuration error: PUBLIC_URL must be a URL/],
  ])('a bad %s stops start-up with one line naming it', (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  test('.env.example documents every variable the schema reads, and no others', () => {
    const example = fs.readFileSync(path.resolve(__dirname, '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });
});
