/** Writing results: stdout for results only, exactly one JSON document under --json. */

/** Writes the result: JSON (one document) or the human rendering. */
export function printResult<T>(result: T, json: boolean, render: (r: T) => string, stream: NodeJS.WritableStream = process.stdout): void {
  if (json) {
    stream.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const text = render(result);
  if (text) stream.write(text.endsWith('\n') ? text : text + '\n');
}
