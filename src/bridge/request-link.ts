/**
 * The http link of a Keyhold request window. MCP clients that do URL-mode
 * elicitation open http(s) links only (several refuse custom schemes such as
 * `keyhold://`), so the app serves `GET /request/<link>` on its bridge port:
 * it brings that window to the front and reveals nothing (see the app's
 * request-link-route.ts). The link id is the app's own (128 random bits),
 * sent in the `pending` event.
 */
/** `ws://127.0.0.1:<port>` → `http://127.0.0.1:<port>/request/<link>`; undefined for anything that is not a loopback ws URL. */
export function requestLinkFor(bridgeUrl: string, link: string): string | undefined {
  let url: URL;
  try {
    url = new URL(bridgeUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'ws:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
  return `http://${url.host}/request/${encodeURIComponent(link)}`;
}

