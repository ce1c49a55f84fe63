/**
 * The command-line options of the maintenance commands (`npm run migrate`, `npm run doctor`): `--name value` and
 * `--name=value` for each of `names`, bare `--flag`s, and `--help`/`-h` (returns 'help'). Anything else, or an
 * option without a value, throws `fail(message)`.
 */
export function readOptions<N extends string, F extends string = never>(
  argv: readonly string[],
  names: readonly N[],
  fail: (message: string) => Error,
  flags: readonly F[] = [],
): 'help' | { given: Partial<Record<N, string>>; flags: Set<F> } {
  const given: Partial<Record<N, string>> = {};
  const set = new Set<F>();
  const option = new RegExp(`^--(${names.join('|')})(?:=(.*))?$`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    const flag = flags.find((f) => arg === `--${f}`);
    if (flag !== undefined) {
      set.add(flag);
      continue;
    }
    const m = option.exec(arg);
    if (!m) throw fail(`Unknown argument "${arg}".`);
    const name = m[1] as N;
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '' || (m[2] === undefined && value.startsWith('--'))) {
      throw fail(`--${name} needs a value.`);
    }
    given[name] = value;
  }
  return { given, flags: set };
}
