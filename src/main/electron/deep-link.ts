/**
 * `keyhold://request/<id>` links: the MCP server puts one in a URL-mode
 * elicitation, the user clicks it in the MCP client, the OS hands it to
 * Keyhold (macOS `open-url`; elsewhere the argv of a second instance), and
 * Keyhold brings that prompt's window to the front. The id is the bridge
 * request id the MCP server got in its `pending` event (or a core prompt id);
 * a link never answers anything, it only focuses.
 */
export const PROTOCOL_SCHEME = 'keyhold';

/** Bridge request ids (requestIdSchema) and core prompt ids (UUIDs) both fit. */
const PROMPT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The prompt id of a `keyhold://request/<id>` link, or undefined for anything else. */
export function promptIdFromLink(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${PROTOCOL_SCHEME}:` || url.hostname !== 'request') return undefined;
  const id = url.pathname.replace(/^\/+|\/+$/g, '');
  return PROMPT_ID.test(id) ? id : undefined;
}

/** The first request link among command-line arguments (Windows/Linux pass the link as an argument). */
export function promptIdFromArgv(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${PROTOCOL_SCHEME}:`)) continue;
    const id = promptIdFromLink(arg);
    if (id !== undefined) return id;
  }
  return undefined;
}
