/**
 * npm run package:teams — fills manifests/teams/manifest.json's ${{…}} placeholders from the environment and its
 * bots[0].commandLists from the command table (src/adapters/teams/manifestCommands.ts), validates
 * it against Microsoft's Teams manifest JSON schema (shipped by @microsoft/app-manifest) and writes the zip to
 * upload in Teams (manifest.json + color.png + outline.png at the zip root).
 *
 *   MicrosoftAppId=<bot app id> PUBLIC_URL=https://micip.example.org npm run package:teams [-- out.zip]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import JSZip from 'jszip';
import {
  type TeamsCommandList,
  TeamsMenuError,
  teamsCommandLists,
} from '../src/adapters/teams/manifestCommands';

export const MANIFEST_DIR = path.join(__dirname, '..', 'manifests', 'teams');
export const MANIFEST_VERSION = '1.19';
export const DEFAULT_OUT = path.join(__dirname, '..', 'dist', 'teams', 'micip-teams.zip');

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export class PackageError extends Error {}

export interface ManifestVars {
  BOT_ID: string;
  TEAMS_APP_ID: string;
  PUBLIC_URL: string;
  BOT_DOMAIN: string;
  APP_VERSION: string;
}

/** Reads the placeholders' values from the environment, with a clear message for each missing or bad one. */
export function manifestVars(env: NodeJS.ProcessEnv = process.env): ManifestVars {
  const botId = env.MicrosoftAppId?.trim() ?? '';
  if (!GUID.test(botId)) {
    throw new PackageError(
      "MicrosoftAppId must be the bot's Microsoft App ID (a GUID such as 0b5c1d34-…): see docs/teams.md.",
    );
  }
  const raw = env.PUBLIC_URL?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PackageError('PUBLIC_URL must be the https:// address where the bot is reachable.');
  }
  if (url.protocol !== 'https:') throw new PackageError('PUBLIC_URL must use https:// (Teams requires it).');
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    BOT_ID: botId,
    TEAMS_APP_ID: botId,
    PUBLIC_URL: url.origin + url.pathname.replace(/\/+$/, ''),
    BOT_DOMAIN: url.host,
    APP_VERSION: pkg.version,
  };
}

/**
 * Replaces every ${{NAME}}; an unknown placeholder is an error rather than a broken package. The bot's command menu
 * (bots[0].commandLists) becomes `commandLists`, by default the one generated from the command table.
 */
export function fillManifest(
  template: string,
  vars: ManifestVars,
  commandLists: () => TeamsCommandList[] = teamsCommandLists,
): Record<string, unknown> {
  const filled = template.replace(/\$\{\{\s*([A-Z_]+)\s*\}\}/g, (_m, name: string) => {
    const v = (vars as unknown as Record<string, string | undefined>)[name];
    if (v === undefined) throw new PackageError(`manifest.json uses an unknown placeholder \${{${name}}}`);
    return JSON.stringify(v).slice(1, -1);
  });
  const manifest = JSON.parse(filled) as Record<string, unknown>;
  const bot = (manifest.bots as Array<Record<string, unknown>> | undefined)?.[0];
  if (bot) {
    try {
      bot.commandLists = commandLists();
    } catch (e) {
      throw e instanceof TeamsMenuError ? new PackageError(e.message) : e;
    }
  }
  return manifest;
}

function schemaPath(version: string): string {
  const pkgDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  return path.join(pkgDir, 'build', 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json');
}

/** Validates against Microsoft's official schema for the manifest's version; returns readable errors. */
export function validateManifest(manifest: Record<string, unknown>): string[] {
  const version = String(manifest.manifestVersion ?? '');
  const file = schemaPath(version);
  if (!fs.existsSync(file)) return [`no Teams manifest schema for manifestVersion "${version}"`];
  const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The schema is draft-04 without draft-04-only keywords; Ajv's default dialect reads it once the meta ref goes.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}

/** Builds the app package zip in memory. */
export async function buildTeamsPackage(vars: ManifestVars, dir: string = MANIFEST_DIR): Promise<Buffer> {
  const manifest = fillManifest(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), vars);
  const errors = validateManifest(manifest);
  if (errors.length) throw new PackageError(`manifest.json is not valid:\n  ${errors.join('\n  ')}`);
  const icons = manifest.icons as { color: string; outline: string };
  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const icon of [icons.color, icons.outline]) {
    zip.file(icon, fs.readFileSync(path.join(dir, icon)));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? DEFAULT_OUT);
  const zip = await buildTeamsPackage(manifestVars());
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zip);
  console.log(
    `Teams app package written to ${out} (${zip.length} bytes). Upload it in Teams: Apps → Manage your apps → Upload an app.`,
  );
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof PackageError ? e.message : e);
    process.exit(1);
  });
}
