/**
 * Which folder a reconciler keeps its state in. Members of one group on one machine share a base
 * folder; each claims the first slot no running process holds (`slot-0`, `slot-1`, …, a lock file
 * naming its process id), so a member restarted after a crash finds its former slot, with the
 * state and checkpoints of the partitions it had, and two members never write one store.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A claimed state folder; `release` frees the slot for the next member. */
export interface StateSlot {
  readonly dir: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims the first free slot under `base` for this process. */
export function claimStateDir(base: string): StateSlot {
  mkdirSync(base, { recursive: true });
  for (let slot = 0; ; slot++) {
    const dir = join(base, `slot-${slot}`);
    const lock = join(base, `slot-${slot}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return {
          dir,
          release: () => {
            try {
              unlinkSync(lock);
            } catch {
              // Already gone: nothing to free.
            }
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(readFileSync(lock, 'utf8'));
        // A lock left by a process that is gone (killed, crashed) is taken over once.
        if (Number.isInteger(holder) && holder > 0 && alive(holder)) break;
        try {
          unlinkSync(lock);
        } catch (gone) {
          if ((gone as NodeJS.ErrnoException).code !== 'ENOENT') throw gone;
        }
      }
    }
  }
}
