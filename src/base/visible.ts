// Text from the cluster or the node (pod and annotation values, kubelet event
// messages, API error messages, interface names) is hostile data: a clear-screen,
// an OSC-8 link or a title change must print as text, not act on the terminal.
// The remote session's own stdout/stderr are the user's bytes and never pass here.

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

// C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates
// (which reorder what follows them on the line).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Every control character as a visible escape: ESC -> `\e`, newline -> `\n`, others `\xHH` / `\uHHHH`. */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
