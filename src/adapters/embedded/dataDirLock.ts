import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Thrown when another live process holds the folder; the message names the folder and that process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data folder ${dir} is in use by another process (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'Stop that process first, or give this one its own DATA_DIR. Nothing in the folder was changed.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

const LOCK_NAME = '.lock';
/** Folders this process holds: a second store on the same folder in one process is refused too. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return { pid: h.pid, host: h.host, since: String(h.since ?? 'unknown') };
  } catch {
    return null;
  }
}

/**
 * How old `file` is by the file system's own clock (a probe file's mtime is "now"), so a process clock that differs
 * from it (a network file system, a test under libfaketime) cannot make a fresh lock look old.
 */
function fileAgeMs(dir: string, file: string): number {
  const mtime = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const probe = path.join(dir, `.lock-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    return fs.statSync(probe).mtimeMs - mtime;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/**
 * Takes the embedded store's folder for this process alone: creates `<dir>/.lock` exclusively (O_EXCL) holding
 * this process's pid and host. A lock left by a process that no longer runs on this host is taken over; a live
 * holder (or one on another host, which cannot be checked) makes this throw DataDirLockedError before anything in
 * the folder is read or written. Call before opening the store; release after closing it.
 */
export function acquireDataDirLock(dir: string, now: () => Date = () => new Date()): DataDirLock {
  const abs = path.resolve(dir);
  const file = path.join(abs, LOCK_NAME);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: now().toISOString() };
  if (heldHere.has(file)) throw new DataDirLockedError(abs, readHolder(file) ?? me);
  fs.mkdirSync(abs, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o644 });
      let released = false;
      heldHere.add(file);
      return {
        file,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          // Only remove our own lock (a takeover after a crash may have replaced it).
          if (readHolder(file)?.pid === me.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (holder && holder.pid !== process.pid && (holder.host !== me.host || alive(holder.pid)))
      throw new DataDirLockedError(abs, holder);
    if (!holder && fileAgeMs(abs, file) < 2000)
      // Just created by another process that has not written its pid yet.
      throw new DataDirLockedError(abs, { pid: 0, host: 'unknown', since: 'just now' });
    // Stale: its process is gone (our own pid here means a previous run, e.g. pid 1 in a container, that
    // crashed), or unreadable and older than 2 s (a crash mid-write). Remove it and try again.
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock ${file}; another process keeps replacing it.`);
}
