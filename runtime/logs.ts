import type Docker from 'dockerode';

/**
 * The last `lines` log lines (stdout and stderr) of a container, or an empty
 * list when it is gone. Non-TTY logs come multiplexed in 8-byte-header frames.
 */
export async function tailLogs(docker: Docker, id: string, lines = 20): Promise<string[]> {
  let raw: Buffer;
  try {
    raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
  } catch {
    return [];
  }
  return logLines(raw, lines);
}

/** Log lines from a logs answer, multiplexed or not (shared with swarm service logs). */
export function logLines(raw: Buffer, lines: number): string[] {
  const text = isMultiplexed(raw) ? demux(raw) : raw.toString('utf8');
  return text.split('\n').filter((line) => line !== '').slice(-lines);
}

function isMultiplexed(raw: Buffer): boolean {
  return raw.length >= 8 && (raw[0] === 1 || raw[0] === 2) && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
}

function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
