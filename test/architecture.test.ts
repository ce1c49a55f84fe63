import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Layering check: src/domain imports only src/domain; src/app imports only src/domain, src/app and zod.
 * Neither may import an adapter, a framework, a driver or Node's I/O modules.
 */
const src = path.resolve(__dirname, '..', 'src');

const ALLOWED: Record<string, { layers: string[]; packages: string[] }> = {
  domain: { layers: ['domain'], packages: [] },
  app: { layers: ['domain', 'app'], packages: ['zod'] },
};

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Returns one message per forbidden import in `code` (a file of `layer` at `file`). */
function violations(layer: 'domain' | 'app', file: string, code: string): string[] {
  const rule = ALLOWED[layer] as { layers: string[]; packages: string[] };
  const info = ts.preProcessFile(code, true, true);
  const specs = info.importedFiles.map((f) => f.fileName);
  // require() calls and dynamic imports are included by preProcessFile; catch `require` of a variable too.
  if (/\brequire\s*\(\s*[^'"`]/.test(code)) specs.push('<dynamic require>');
  const out: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('.')) {
      const target = path.relative(src, path.resolve(path.dirname(file), spec));
      const top = target.split(path.sep)[0] ?? '';
      if (!rule.layers.includes(top)) out.push(`${path.relative(src, file)} imports ${spec} (${top} layer)`);
    } else if (!rule.packages.includes(spec)) {
      out.push(`${path.relative(src, file)} imports package "${spec}"`);
    }
  }
  return out;
}

describe('architecture', () => {
  for (const layer of ['domain', 'app'] as const) {
    test(`src/${layer} imports no adapter, framework, driver or I/O module`, () => {
      const files = listTs(path.join(src, layer));
      expect(files.length).toBeGreaterThan(0);
      const problems = files.flatMap((f) => violations(layer, f, fs.readFileSync(f, 'utf8')));
      expect(problems).toEqual([]);
    });
  }

  test('src/app writes no chat markup around values: replies are RichText (src/app/text.ts), rendered per channel', () => {
    // Slack mentions, channel links and *bold* wrapped around an interpolated value; the Markdown export (mdCell)
    // is a file format of its own.
    const markup = /<[#@!]\$\{|\*\$\{(?!mdCell\()/;
    const found = listTs(path.join(src, 'app')).flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => markup.test(line))
        .map((line) => `${path.relative(src, f)}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
    const $ = ['$', '{'].join(''); // "${" without a template literal
    expect(markup.test(`text: \`Renamed to *${$}b.name}*.\``)).toBe(true);
    expect(markup.test(`\`• ${$}b.name} — <#${$}b.channelId}>\``)).toBe(true);
  });

  test('src/app reads and writes no platform syntax: Slack links and specials are turned neutral by the adapter', () => {
    // Code (not comments) that parses or writes Slack's <#C…> channel links or <!here>-style specials.
    const slackSyntax = /['"`/]\^?<[#!]/;
    const found = listTs(path.join(src, 'app')).flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/)/.test(line) && slackSyntax.test(line))
        .map((line) => `${path.relative(src, f)}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
    expect(slackSyntax.test('const slack = /^<#([A-Z]+)>$/.exec(token);')).toBe(true);
    expect(slackSyntax.test("text: '<!channel> vote now'")).toBe(true);
  });

  test('the check itself catches forbidden imports', () => {
    const f = path.join(src, 'domain', 'x.ts');
    expect(violations('domain', f, "import { App } from '@slack/bolt';")).toHaveLength(1);
    expect(violations('domain', f, "import * as fs from 'node:fs';")).toHaveLength(1);
    expect(violations('domain', f, "import { z } from 'zod';")).toHaveLength(1);
    expect(
      violations('domain', f, "import { MongoStore } from '../adapters/mongo/mongoStore';"),
    ).toHaveLength(1);
    expect(violations('domain', f, "import type { Review } from '../app/views';")).toHaveLength(1);
    expect(violations('domain', f, "const m = require('mongodb');")).toHaveLength(1);
    expect(violations('domain', f, "export * from './rubric';")).toHaveLength(0);
    const a = path.join(src, 'app', 'x.ts');
    expect(
      violations('app', a, "import { z } from 'zod';\nimport { DomainError } from '../domain/errors';"),
    ).toEqual([]);
    expect(violations('app', a, "import { CloudAdapter } from 'botbuilder';")).toHaveLength(1);
    expect(violations('app', a, "import http from 'node:http';")).toHaveLength(1);
  });
});
