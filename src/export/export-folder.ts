import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, GongSyncError } from '../errors.js';

/**
 * The only way export touches the disk. Every file is first written in a staging folder that
 * mkdtemp creates exclusively inside --out (mode 0700, so nothing can be planted in it), each file
 * there opened with O_EXCL | O_NOFOLLOW, then renamed onto its final name when the whole export
 * has succeeded. rename(2) replaces a planted symlink instead of writing through it, so nothing is
 * ever written outside --out, and a failed or stopped export leaves --out as it was.
 */
export class ExportFolder {
  private constructor(
    readonly outDir: string,
    readonly stagingDir: string,
  ) {}

  /** Checks --out (a folder, created if missing, writable) and opens a staging folder in it. */
  static open(outDir: string): ExportFolder {
    const out = path.resolve(outDir);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(out);
    } catch (error) {
      if (code(error) !== 'ENOENT') throw badOut(outDir, error);
    }
    if (stat && !stat.isDirectory())
      throw new ConfigError(`--out ${outDir} is a file, not a folder: name a folder (it is created if missing)`);
    try {
      if (!stat) makeFolders(out);
      else removeAbandonedStaging(out);
      return new ExportFolder(out, fs.mkdtempSync(path.join(out, `${STAGING_PREFIX}${process.pid}-`)));
    } catch (error) {
      throw badOut(outDir, error);
    }
  }

  /**
   * Where a file named `name` is staged. `name` must be a plain file name (table names are
   * checked before they get here); anything that could leave the folder is refused again here.
   */
  stagedPath(name: string): string {
    if (!isPlainFileName(name)) throw new GongSyncError(`Refusing to write "${name}": not a plain file name`);
    return path.join(this.stagingDir, name);
  }

  /** Creates a staged file that did not exist, never through a symlink, owner-only. */
  createStaged(name: string): fs.WriteStream {
    const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
    const file = this.stagedPath(name);
    return fs.createWriteStream(file, { fd: fs.openSync(file, flags, 0o600) });
  }

  writeStaged(name: string, text: string): void {
    fs.writeFileSync(this.stagedPath(name), text, { flag: 'wx', mode: 0o600 });
  }

  /** Moves every staged file onto its final name in --out, then removes the staging folder. */
  publish(names: string[]): void {
    // A folder in the way is found before any file moves, so the set is placed whole or not at all.
    for (const name of names) {
      const target = path.join(this.outDir, name);
      if (fs.lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) {
        throw new GongSyncError(`Cannot place ${name} in ${this.outDir}: ${target} is a folder. Move it away and export again.`);
      }
    }
    for (const name of names) {
      const target = path.join(this.outDir, name);
      try {
        fs.renameSync(this.stagedPath(name), target);
      } catch (error) {
        throw new GongSyncError(
          `Cannot place ${name} in ${this.outDir} (${code(error) ?? (error as Error).message}); move ${target} away and export again.`,
          { cause: error },
        );
      }
    }
    this.discard();
  }

  /** Removes the staging folder and whatever it holds (a failed or stopped export). */
  discard(): void {
    fs.rmSync(this.stagingDir, { recursive: true, force: true });
  }
}

const STAGING_PREFIX = '.gong-sync-export-';

/**
 * Staging folders of exports that were killed outright (SIGKILL, power loss): their process is
 * gone. A folder whose process still runs (another export into the same --out) is left alone.
 */
function removeAbandonedStaging(out: string): void {
  for (const name of fs.readdirSync(out)) {
    const pid = Number(/^\.gong-sync-export-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    fs.rmSync(path.join(out, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

/**
 * mkdir -p, one level at a time from the deepest existing folder: Node's recursive mkdir loops
 * forever where a folder cannot be created under an existing one (/proc/x), instead of failing.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) fs.mkdirSync(folder, { mode: 0o700 });
}

/** A name that stays in its folder: letters, digits, `_`, `-` and dots inside (no `..`, no separator). */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) && !name.includes('..') && name.length <= 200;
}

function badOut(outDir: string, error: unknown): ConfigError {
  const reasons: Record<string, string> = {
    ENOTDIR: 'part of the path is a file, not a folder',
    EEXIST: 'part of the path is a file, not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    ENOENT: 'the path cannot be created',
    ELOOP: 'too many symbolic links',
  };
  const reason = reasons[code(error) ?? ''] ?? (error as Error).message;
  return new ConfigError(`--out ${outDir} cannot be used: ${reason}. Name a folder you can write to (it is created if missing).`, {
    cause: error,
  });
}

function code(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}
