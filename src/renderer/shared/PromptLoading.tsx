/** What a prompt window shows before its request is loaded: "Loading…", or why it could not be. */
import { ErrorBanner } from './ErrorBanner.js';

export function PromptLoading({ error }: { error: string | null }) {
  return error === null ? (
    <div className="loading">Loading…</div>
  ) : (
    <div className="prompt-body">
      <ErrorBanner message={error} />
    </div>
  );
}
