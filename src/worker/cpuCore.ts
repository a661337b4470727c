// Which CPU core this process last ran on. Linux tells it in field 39 ("processor") of
// /proc/self/stat; other systems do not, and then the answer is null.
import { readFileSync } from 'node:fs';

export function currentCpuCore(): number | null {
  if (process.platform !== 'linux') {
    return null;
  }
  try {
    return parseProcessorField(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return null;
  }
}

export function parseProcessorField(stat: string): number | null {
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const afterName = stat.slice(stat.lastIndexOf(')') + 2);
  const fields = afterName.split(' ');
  const value = Number(fields[39 - 3]);
  return Number.isInteger(value) && value >= 0 ? value : null;
}
