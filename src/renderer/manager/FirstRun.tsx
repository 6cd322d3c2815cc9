/**
 * What the manager shows while no secret is stored — which is also what a
 * first launch shows: Keyhold is running (even where no tray icon is
 * visible), closing the window does not quit it, and the two ways to connect
 * an MCP server.
 */
export function FirstRun({ onAdd }: { onAdd: () => void }) {
  return (
    <section className="first-run" aria-labelledby="first-run-title" data-testid="first-run">
      <h2 id="first-run-title" className="empty-title">
        Keyhold is running
      </h2>
      <p className="muted">
        It stays in the background, in the menu bar or system tray, while this window is closed. Quit it from its tray menu. Where no tray icon shows (GNOME without
        the AppIndicator extension, hidden icons on Windows), start Keyhold again to open this window.
      </p>
      <h3 className="first-run-step">Connect an MCP server</h3>
      <ol className="first-run-list">
        <li>
          <strong>Any server, unchanged:</strong> put a reference instead of the key in your MCP client’s config and wrap the command with{' '}
          <code className="mono">keyhold run</code>, for example
          <pre className="mono first-run-code">GITHUB_TOKEN=keyhold://github/token keyhold run -- npx -y @modelcontextprotocol/server-github</pre>
        </li>
        <li>
          <strong>A server you write:</strong> <code className="mono">npm install @keyhold/bridge</code> and ask for secrets through it; Keyhold shows a window with a
          verification code each time.
        </li>
      </ol>
      <p className="muted">The first time a server asks for a secret, Keyhold asks you to enter it. Or add one yourself:</p>
      <div>
        <button type="button" className="btn btn-primary" data-testid="add-secret" onClick={onAdd}>
          Add a secret…
        </button>
      </div>
    </section>
  );
}
