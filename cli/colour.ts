/** Whether to colour output: only on a terminal, never with NO_COLOR (https://no-color.org) or --no-color. */
export function useColour(options: { readonly isTTY: boolean | undefined; readonly noColor: boolean; readonly flag: boolean | undefined }): boolean {
  return options.isTTY === true && !options.noColor && options.flag !== false;
}

const SGR = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', reset: '\x1b[0m' } as const;

/** A unified diff with ANSI colours: additions green, removals red, hunk headers cyan, file headers bold. */
export function colourDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      const colour = line.startsWith('+++') || line.startsWith('---') ? SGR.bold : line.startsWith('@@') ? SGR.cyan : line.startsWith('+') ? SGR.green : line.startsWith('-') ? SGR.red : undefined;
      return colour === undefined ? line : `${colour}${line}${SGR.reset}`;
    })
    .join('\n');
}
